/** `zdm lint --format sarif` is valid SARIF 2.1.0 and carries what GitHub code scanning reads. */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import draft04 from 'ajv/lib/refs/json-schema-draft-04.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { lintSql, RULES, type Finding } from '../../src/lint/index.js';
import { FINGERPRINT_KEY, formatSarif } from '../../src/lint/report/sarif.js';

const schema = JSON.parse(readFileSync(new URL('./schemas/sarif-2.1.0.json', import.meta.url), 'utf8')) as object;

interface SarifRule {
  id: string;
  fullDescription?: { text: string };
  helpUri?: string;
  help?: { text: string; markdown?: string };
}
interface SarifLog {
  runs: {
    tool: { driver: { informationUri?: string; rules: SarifRule[] } };
    results: { ruleId: string; ruleIndex: number; partialFingerprints?: Record<string, string> }[];
  }[];
}

function validate(doc: unknown): string {
  const ajv = new Ajv({ schemaId: 'id', meta: false, allErrors: true });
  ajv.addMetaSchema(draft04);
  const ok = ajv.validate(schema, doc);
  return ok ? '' : ajv.errorsText(ajv.errors);
}

async function sarifOf(files: Record<string, string>): Promise<SarifLog> {
  const findings: Finding[] = [];
  for (const [file, sql] of Object.entries(files)) findings.push(...(await lintSql(sql, { file })));
  return JSON.parse(formatSarif({ findings, files: Object.keys(files).length, source: () => undefined })) as SarifLog;
}

describe('SARIF output', () => {
  const files = {
    'migrations/001 add index.sql': 'CREATE INDEX i ON users (a);\nCREATE INDEX i ON users (a);\n',
    'migrations/002.sql': '-- zdm-ignore: drop-table\nSELECT 1;\n',
    'migrations/003.sql': 'ALTER TABLE users ADD COLUMN;',
    '<stdin>': 'DROP TABLE users;',
  };

  it('validates against the SARIF 2.1.0 schema', async () => {
    const doc = await sarifOf(files);
    expect(doc.runs[0]!.results.length).toBeGreaterThanOrEqual(5);
    expect(validate(doc)).toBe('');
  });

  it('every rule has fullDescription, help and helpUri; the driver has informationUri', async () => {
    const { tool } = (await sarifOf(files)).runs[0]!;
    expect(tool.driver.informationUri).toMatch(/^file:\/\/.*src\/lint\/rules\/README\.md$/);
    expect(tool.driver.rules.length).toBeGreaterThanOrEqual(RULES.length);
    for (const r of tool.driver.rules) {
      expect(r.fullDescription?.text.length, r.id).toBeGreaterThan(10);
      expect(r.helpUri).toBe(`${tool.driver.informationUri}#${r.id}`);
      expect(r.help?.markdown).toContain(r.helpUri);
    }
    const readme = readFileSync(new URL(tool.driver.informationUri!), 'utf8');
    for (const r of tool.driver.rules) expect(readme, r.id).toContain(`\n## ${r.id}\n`);
  });

  it('every result has a partialFingerprint that survives lines moving and tells repeats apart', async () => {
    const before = (await sarifOf(files)).runs[0]!.results;
    const moved = (
      await sarifOf({ ...files, 'migrations/001 add index.sql': `\n\n${files['migrations/001 add index.sql']}` })
    ).runs[0]!.results;
    const prints = (rs: typeof before) => rs.map((r) => r.partialFingerprints?.[FINGERPRINT_KEY]);
    for (const p of prints(before)) expect(p).toMatch(/^[0-9a-f]{64}$/);
    expect(prints(moved)).toEqual(prints(before));
    expect(new Set(prints(before)).size).toBe(before.length);
  });

  it('ZDM_LINT_DOCS_URL points helpUri at a web address', async () => {
    process.env.ZDM_LINT_DOCS_URL = 'https://example.org/zdm/README.md';
    try {
      const { tool } = (await sarifOf(files)).runs[0]!;
      expect(tool.driver.rules[0]!.helpUri).toBe(`https://example.org/zdm/README.md#${tool.driver.rules[0]!.id}`);
    } finally {
      delete process.env.ZDM_LINT_DOCS_URL;
    }
  });
});

/**
 * SARIF 2.1.0, for code-scanning uploads: every rule carries fullDescription, help (text and
 * markdown) and helpUri; every result a partialFingerprints entry that survives lines moving.
 */
import { version } from '../../version.js';
import { META_RULES, type Finding } from '../engine.js';
import { RULES } from '../rules/index.js';
import { docsBase, docsUrl } from './docs.js';
import type { LintRun } from './types.js';

/** The partialFingerprints key; bump the version if the hashed fields change. */
export const FINGERPRINT_KEY = 'zdmLintFinding/v1';

function sarifRules(base: string) {
  const rules = [
    ...RULES.map((r) => ({ id: r.id, summary: r.summary, help: r.help, level: r.severity })),
    ...Object.entries(META_RULES).map(([id, summary]) => ({ id, summary, help: summary, level: 'warning' as const })),
  ];
  return rules.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.summary },
    fullDescription: { text: r.help === r.summary ? r.summary : `${r.summary}. Instead: ${r.help}` },
    help: {
      text: `${r.help}\n\nDocs: ${docsUrl(r.id, base)}`,
      markdown: `**Instead:** ${r.help}\n\n[Rule documentation](${docsUrl(r.id, base)})`,
    },
    helpUri: docsUrl(r.id, base),
    defaultConfiguration: { level: r.level },
  }));
}

/**
 * Rule, file, the statement's text with its whitespace collapsed (or the message, for findings that
 * are not about a statement), and which occurrence of that triple it is: stable when lines move.
 */
function fingerprints(findings: readonly Finding[]): string[] {
  // node:crypto is loaded only for this format (~14 M instructions; runLint loads it early for sarif).
  const { createHash } = process.getBuiltinModule('node:crypto');
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const what = (f.statement ?? f.message).replace(/\s+/g, ' ').trim();
    const key = `${f.rule}\u0000${f.file}\u0000${what}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return createHash('sha256').update(`${key}\u0000${n}`).digest('hex');
  });
}

export function formatSarif(run: LintRun): string {
  const base = docsBase();
  const rules = sarifRules(base);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const prints = fingerprints(run.findings);
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'zdm lint', version, informationUri: base, rules } },
        results: run.findings.map((f, i) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule),
          level: f.severity,
          message: { text: f.help ? `${f.message}\nhelp: ${f.help}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file.split('\\').join('/')) },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
          partialFingerprints: { [FINGERPRINT_KEY]: prints[i] },
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

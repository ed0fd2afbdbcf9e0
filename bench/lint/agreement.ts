/**
 * Agreement: runs the corpus in test/lint/corpus/ through zdm lint (default profile, PG 15) and
 * squawk (squawk-cli, default rules minus its style rules, which are opt-in in zdm), maps squawk's
 * rule names to zdm's, and prints every case where the two disagree with the verdict recorded in
 * bench/lint/verdicts.json (which tool is right, and why).
 *
 *   npx tsx bench/lint/agreement.ts            # prints markdown to stdout
 *   npm run bench -- lint                      # also writes it to bench/lint/RESULTS.md (bench/lint/index.ts)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintSql } from '../../src/lint/index.js';
import { squawkBin } from './squawk.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const corpus = path.join(root, 'test/lint/corpus');

/** squawk rules that are style or session-hygiene rules: opt-in in zdm (see src/lint/rules/README.md). */
export const SQUAWK_STYLE_RULES = [
  'require-statement-timeout',
  'require-lock-timeout',
  'prefer-robust-stmts',
  'prefer-bigint-over-int',
  'prefer-bigint-over-smallint',
  'prefer-identity',
  'prefer-text-field',
  'prefer-timestamp-tz',
  'ban-char-field',
  'ban-create-domain-with-constraint',
  'require-enum-value-ordering',
];

/** squawk rule → the zdm rules that report the same problem. */
const MAP: Record<string, string[]> = {
  'adding-field-with-default': [
    'add-column-rewriting-default',
    'add-column-generated-stored',
    'add-column-auto-increment',
  ],
  'adding-foreign-key-constraint': ['add-foreign-key-validating'],
  'adding-not-nullable-field': ['set-not-null'],
  'adding-required-field': ['add-column-required'],
  'adding-serial-primary-key-field': ['add-primary-key'],
  'ban-alter-domain-with-add-constraint': ['domain-constraint-scan'],
  'ban-concurrent-index-creation-in-transaction': ['concurrently-in-transaction'],
  'ban-drop-column': ['drop-column'],
  'ban-drop-database': ['drop-database'],
  'ban-drop-not-null': ['drop-not-null'],
  'ban-drop-table': ['drop-table'],
  'ban-duplicate-column-assignments': ['duplicate-column-assignment'],
  'ban-truncate-cascade': ['truncate-cascade'],
  'ban-uncommitted-transaction': ['uncommitted-transaction'],
  'changing-column-type': ['change-column-type'],
  'constraint-missing-not-valid': [
    'add-check-constraint-validating',
    'add-foreign-key-validating',
    'validate-in-same-transaction',
  ],
  'disallowed-unique-constraint': ['add-unique-constraint'],
  'identifier-too-long': ['identifier-too-long'],
  'renaming-column': ['rename-column'],
  'renaming-table': ['rename-table'],
  'require-concurrent-index-creation': ['create-index-non-concurrent'],
  'require-concurrent-index-deletion': ['drop-index-non-concurrent'],
  'require-concurrent-partition-detach': ['detach-partition-non-concurrent'],
  'require-concurrent-reindex': ['reindex-non-concurrent'],
  'prefer-repack': ['vacuum-full-or-cluster'],
  'transaction-nesting': ['transaction-nesting'],
};

interface Verdict {
  right: 'zdm' | 'squawk' | 'both';
  why: string;
}

export interface CaseResult {
  file: string;
  expected: string[];
  zdm: string[];
  squawk: string[];
  zdmOnly: string[];
  squawkOnly: string[];
}

export async function compare(): Promise<CaseResult[]> {
  const files = readdirSync(corpus)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const bin = squawkBin();
  let raw: string;
  try {
    raw = execFileSync(
      bin,
      ['--reporter', 'json', `--exclude=${SQUAWK_STYLE_RULES.join(',')}`, '--pg-version=15', ...files],
      { cwd: corpus, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
  } catch (err) {
    raw = (err as { stdout?: string }).stdout ?? '[]'; // squawk exits 1 when it finds something
  }
  const sq = JSON.parse(raw) as { file: string; rule_name: string }[];
  const results: CaseResult[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(corpus, file), 'utf8');
    const head = (text.split('\n', 1)[0] ?? '').replace(/^-- expect:\s*/, '').trim();
    const expected = head === 'none' ? [] : head.split(',').map((s) => s.trim());
    const zdm = [...new Set((await lintSql(text, { file })).map((f) => f.rule))].sort();
    const squawk = [...new Set(sq.filter((f) => path.basename(f.file) === file).map((f) => f.rule_name))].sort();
    const squawkOnly = squawk.filter((r) => !(MAP[r] ?? []).some((z) => zdm.includes(z)));
    const zdmOnly = zdm.filter((z) => !squawk.some((r) => (MAP[r] ?? []).includes(z)));
    results.push({ file, expected, zdm, squawk, zdmOnly, squawkOnly });
  }
  return results;
}

export interface AgreementReport {
  cases: number;
  dangerous: number;
  safe: number;
  agree: number;
  disagree: number;
  zdmVerdictRight: number;
  squawkVerdictRight: number;
  /** Disagreements without a verdict in verdicts.json. */
  missing: number;
  /** The summary lines and the per-case table, markdown. */
  markdown: string;
}

export async function agreement(): Promise<AgreementReport> {
  const verdicts = JSON.parse(readFileSync(new URL('./verdicts.json', import.meta.url), 'utf8')) as Record<
    string,
    Verdict
  >;
  const results = await compare();
  const disagree = results.filter((r) => r.zdmOnly.length || r.squawkOnly.length);
  const flagged = (rules: string[]) => rules.length > 0;
  const zdmVerdictRight = results.filter((r) => flagged(r.zdm) === flagged(r.expected)).length;
  const dangerous = results.filter((r) => r.expected.length).length;
  const out: string[] = [];
  out.push(
    `Corpus: ${results.length} cases (${dangerous} dangerous, ${results.length - dangerous} safe), \`test/lint/corpus/\`.`,
  );
  out.push(
    `Agree (same problems reported, after mapping squawk's rule names to zdm's): ${results.length - disagree.length}; disagree: ${disagree.length}.`,
  );
  const squawkVerdictRight = results.filter((r) => flagged(r.squawk) === flagged(r.expected)).length;
  out.push(
    `Dangerous/safe verdict equal to the expectation recorded in each case's header: zdm ${zdmVerdictRight}/${results.length}, squawk ${squawkVerdictRight}/${results.length}.`,
  );
  out.push('');
  out.push('| case | zdm only | squawk only | right | why |');
  out.push('|---|---|---|---|---|');
  let missing = 0;
  for (const r of disagree) {
    const v = verdicts[r.file];
    if (!v) missing++;
    out.push(
      `| \`${r.file}\` | ${r.zdmOnly.join(', ') || '–'} | ${r.squawkOnly.join(', ') || '–'} | ${v?.right ?? '**?**'} | ${v?.why ?? '**no verdict recorded**'} |`,
    );
  }
  const stale = Object.keys(verdicts).filter((f) => !disagree.some((r) => r.file === f));
  if (stale.length) out.push('', `Verdicts for cases that now agree (remove them): ${stale.join(', ')}`);
  return {
    cases: results.length,
    dangerous,
    safe: results.length - dangerous,
    agree: results.length - disagree.length,
    disagree: disagree.length,
    zdmVerdictRight,
    squawkVerdictRight,
    missing,
    markdown: out.join('\n'),
  };
}

async function main(): Promise<void> {
  const report = await agreement();
  console.log(report.markdown);
  if (report.missing) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();

/**
 * Lints a set of files: `.sql` as is, zdm migration files through their `sql` operations. The WASM
 * parser is loaded once and every file is parsed once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { lintSqlSync, resolveRules, type Finding, type LintOptions, type ResolvedRules } from './engine.js';
import { loadParser } from './parser.js';
import type { LintRun } from './report/types.js';
import { docsAnchor } from './rule.js';
import { lintOnWorker, shares, threadCount } from './threads.js';

export interface LintInput {
  /** Name used in findings (relative path, or the stdin file name). */
  name: string;
  /** Absolute path, for reading and for migration-file imports; undefined for stdin. */
  path: string | undefined;
  /** Text already read (stdin). */
  text?: string;
}

export async function lintInputs(inputs: LintInput[], options: Omit<LintOptions, 'file'>): Promise<LintRun> {
  const rules = resolveRules(options);
  // Read everything first: the WASM parser may still be compiling on background threads.
  const parser = loadParser();
  const texts = inputs.map((input) => input.text ?? readFileSync(input.path!, 'utf8'));
  const plain = inputs.flatMap((input, n) => (isPlainSql(input) ? [{ n, name: input.name, text: texts[n]! }] : []));
  const perInput: Finding[][] = inputs.map(() => []);
  const threads = options.catalog ? 1 : threadCount(plain.length);
  const [mine, ...others] = shares(plain, threads);
  const { catalog: _catalog, ...workerOptions } = options;
  const fromWorkers = others.map((share) => lintOnWorker(share, workerOptions));
  await parser;
  for (const job of mine ?? []) perInput[job.n] = lintSqlSync(job.text, { ...options, file: job.name }, rules);
  for (const [w, result] of (await Promise.all(fromWorkers)).entries())
    for (const [k, found] of result.entries()) perInput[others[w]![k]!.n] = found;
  for (const [n, input] of inputs.entries())
    if (!isPlainSql(input)) perInput[n] = await lintMigrationFile(input, texts[n]!, options, rules);
  const sources = new Map(plain.map((job) => [job.name, job.text]));
  // Migration files are read again only if a code frame needs them.
  const paths = new Map(inputs.filter((i) => i.path).map((i) => [i.name, i.path!]));
  const source = (name: string) => {
    if (!sources.has(name) && paths.has(name)) sources.set(name, readFileSync(paths.get(name)!, 'utf8'));
    return sources.get(name);
  };
  return { findings: perInput.flat(), files: inputs.length, source };
}

function isPlainSql(input: LintInput): boolean {
  return !input.path || path.extname(input.path) === '.sql';
}

/** A zdm migration file: each `sql` operation linted, findings placed at the operation. */
async function lintMigrationFile(
  input: LintInput,
  text: string,
  options: Omit<LintOptions, 'file'>,
  rules: ResolvedRules,
): Promise<Finding[]> {
  let doc;
  try {
    const { loadMigrationDocument } = await import('./migration-sql.js');
    doc = await loadMigrationDocument(input.path!, text);
  } catch (err) {
    return [fileProblem(input.name, `cannot read migration file: ${err instanceof Error ? err.message : String(err)}`)];
  }
  const findings: Finding[] = [];
  for (const part of doc.sql) {
    // An operation's `allow` list is the planner's per-operation opt-out: the same here.
    const opRules = part.allow.length
      ? resolveRules({
          ...options,
          exclude: [...(options.exclude ?? []), ...part.allow.filter((id) => rules.ids.has(id))],
        })
      : rules;
    for (const f of lintSqlSync(part.sql, { ...options, file: input.name }, opRules)) {
      findings.push({
        ...f,
        message: `${part.where} line ${f.line}: ${f.message}`,
        line: part.line,
        column: part.column,
        endLine: part.line,
        endColumn: part.column + 1,
      });
    }
  }
  return findings;
}

function fileProblem(file: string, message: string): Finding {
  return {
    rule: 'syntax-error',
    severity: 'error',
    file,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    message,
    docs: docsAnchor('syntax-error'),
  };
}

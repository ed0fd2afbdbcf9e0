import path from 'node:path';
import { UsageError } from '../errors.js';
import type { LintConfig } from '../lint/config.js';
import type { Finding, LintOptions } from '../lint/engine.js';
import type { LintRun } from '../lint/report/types.js';
import type { LintInput } from '../lint/run.js';

/** What to lint: files, directories (recursive) and globs, and/or SQL text. */
export interface LintTarget {
  paths?: string[];
  /** SQL given as text (reported under `sqlName`, default `<sql>`). */
  sql?: string;
  sqlName?: string;
}

export interface LintRequest {
  /** Opt-in rule ids to turn on, added to the settings' `lint.include`. */
  include?: string[];
  /** Rule ids to turn off, added to the settings' `lint.exclude`. */
  exclude?: string[];
  pgVersion?: string | number;
  assumeInTransaction?: boolean;
  /** More warnings than this make the result `blocked`. */
  maxWarnings?: number;
  /** Read the live catalog of the Zdm's database for precise checks. */
  catalog?: boolean;
}

/**
 * The linter's verdict: `blocked` (errors, or more warnings than `maxWarnings`: CI should stop),
 * `warnings` or `clean`. A finding is an expected outcome, never an exception.
 */
export interface LintResult extends LintRun {
  kind: 'clean' | 'warnings' | 'blocked';
  errors: number;
  warnings: number;
}

/**
 * The linter's modules, imported on first use (so `import 'zdm'` does not load them). A process that
 * lints right away may load them first (the CLI does, before it sets a V8 flag).
 */
export function loadLinter() {
  return Promise.all([import('../lint/files.js'), import('../lint/report/types.js'), import('../lint/run.js')]);
}

/** Lints `target` with the `lint` settings (zdm.config.json's section) and the request's overrides. */
export async function runLint(
  target: LintTarget | string[],
  request: LintRequest & { settings: LintConfig; cwd: string; liveCatalog?: LintOptions['catalog'] },
): Promise<LintResult> {
  const t = Array.isArray(target) ? { paths: target } : target;
  if (!t.paths?.length && t.sql === undefined) throw new UsageError('lint: give paths and/or sql');
  const [{ expandPaths }, { counts }, { lintInputs }] = await loadLinter();
  const lint = request.settings;
  const inputs: LintInput[] = [];
  if (t.sql !== undefined) inputs.push({ name: t.sqlName ?? '<sql>', path: undefined, text: t.sql });
  for (const file of expandPaths(t.paths ?? [], request.cwd, lint.excludePaths ?? []))
    inputs.push({ name: path.relative(request.cwd, file) || file, path: file });
  const run = await lintInputs(inputs, {
    include: [...(lint.include ?? []), ...(request.include ?? [])],
    exclude: [...(lint.exclude ?? []), ...(request.exclude ?? [])],
    ...(lint.rules ? { severities: lint.rules } : {}),
    ...((request.pgVersion ?? lint.pgVersion) !== undefined ? { pgVersion: request.pgVersion ?? lint.pgVersion } : {}),
    assumeInTransaction: request.assumeInTransaction ?? lint.assumeInTransaction ?? false,
    ...(request.liveCatalog ? { catalog: request.liveCatalog } : {}),
  });
  const { errors, warnings } = counts(run.findings);
  const blocked = errors > 0 || (request.maxWarnings !== undefined && warnings > request.maxWarnings);
  return { ...run, kind: blocked ? 'blocked' : warnings > 0 ? 'warnings' : 'clean', errors, warnings };
}

export type { Finding };

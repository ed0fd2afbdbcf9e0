import type { Finding } from '../engine.js';

export interface LintRun {
  findings: Finding[];
  /** Number of files (or stdin) linted. */
  files: number;
  /** Source text of a file, for code frames. */
  source(file: string): string | undefined;
}

export interface ReportOptions {
  color: boolean;
}

export function counts(findings: readonly Finding[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const f of findings) if (f.severity === 'error') errors++;
  return { errors, warnings: findings.length - errors };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

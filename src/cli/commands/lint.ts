import type { Command } from 'commander';
import type { CliIO } from '../context.js';
import { LINT_OPTIONS, type LintFlags } from './lint-args.js';
import type { RunAction } from './types.js';

export function registerLint(program: Command, io: CliIO, run: RunAction): void {
  const lint = program
    .command('lint')
    .description(
      'lint SQL migrations (plain .sql from any tool, and the sql operations of zdm migrations) for ' +
        'locks, rewrites and breaking changes',
    )
    .argument(
      '[paths...]',
      'files, directories (recursive) or globs; - reads SQL from stdin (default: the migrations directory)',
    );
  for (const o of LINT_OPTIONS) lint.option(o.flags, o.description, o.defaultValue);
  lint.action((paths: string[], flags: LintFlags) =>
    run(async () => (await import('../actions/lint.js')).runLint(io, paths, flags)),
  );
}

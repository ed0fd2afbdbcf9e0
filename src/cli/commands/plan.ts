import { Option } from 'commander';
import type { PlanFormat } from '../../plan/render.js';
import { addCommonOptions } from '../options.js';
import type { RunnerOptions } from '../runtime.js';
import type { RegisterCommand } from './types.js';

export const registerPlan: RegisterCommand = (program, io, run) => {
  const cmd = program
    .command('plan')
    .argument('[file]', 'migration file to plan (default: the active migration, else the next pending one)')
    .description("print a migration's plan: every step's SQL, lock, phase and the gates between phases")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'));
  addCommonOptions(cmd).action((file: string | undefined, opts: RunnerOptions & { format: PlanFormat }) =>
    run(async () => (await import('../actions/plan.js')).runPlan(io, file, opts)),
  );
};

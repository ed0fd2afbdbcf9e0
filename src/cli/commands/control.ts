import { addCommonOptions } from '../options.js';
import type { RunnerOptions } from '../runtime.js';
import type { RegisterCommand } from './types.js';

/**
 * zdm pause / zdm resume: flip a flag in the state table that a running backfill (on any machine)
 * reads before each batch. They take no runner lock: the runner holds it.
 */
export const registerControl: RegisterCommand = (program, io, run) => {
  const action = (paused: boolean) => (opts: RunnerOptions & { reason?: string }) =>
    run(async () => (await import('../actions/control.js')).runPause(io, opts, paused));
  addCommonOptions(
    program
      .command('pause')
      .description('pause the running backfill of the active migration (takes effect before its next batch)')
      .option('--reason <text>', 'why; shown in status and progress'),
  ).action(action(true));
  addCommonOptions(program.command('resume').description('resume a paused backfill')).action(action(false));
  addCommonOptions(
    program
      .command('tune')
      .description(
        "change the running backfill's batch size or rate cap without a restart (read before its next batches)",
      )
      .option('--batch-size <rows>', "set every worker's batch size (the adaptive sizer continues from it)")
      .option('--max-rows-per-second <n>', "cap the rate, or 'off' to remove the cap"),
  ).action((opts: RunnerOptions & { batchSize?: string; maxRowsPerSecond?: string }) =>
    run(async () => (await import('../actions/control.js')).runTune(io, opts)),
  );
};

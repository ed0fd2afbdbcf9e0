import { addCommonOptions } from '../options.js';
import type { RunnerOptions } from '../runtime.js';
import type { RegisterCommand } from './index.js';

/**
 * zdm pause / zdm resume: flip a flag in the state table that a running backfill (on any machine)
 * reads before each batch. They take no runner lock: the runner holds it.
 */
export const registerControl: RegisterCommand = (program, io, run) => {
  const action = (paused: boolean) => (opts: RunnerOptions & { reason?: string }) => run(async () => (await import('../actions/control.js')).runPause(io, opts, paused));
  addCommonOptions(program.command('pause').description('pause the running backfill of the active migration (takes effect before its next batch)').option('--reason <text>', 'why; shown in status and progress')).action(action(true));
  addCommonOptions(program.command('resume').description('resume a paused backfill')).action(action(false));
};

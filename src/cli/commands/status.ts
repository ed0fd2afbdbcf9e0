import { addCommonOptions } from '../options.js';
import type { RunnerOptions } from '../runtime.js';
import type { RegisterCommand } from './types.js';

export const registerStatus: RegisterCommand = (program, io, run) => {
  const cmd = program.command('status').description('show every migration, its phase, backfill progress and drift');
  addCommonOptions(cmd).action((opts: RunnerOptions & { json?: boolean }) =>
    run(async () => (await import('../actions/status.js')).runStatus(io, opts)),
  );
};

import { addCommonOptions, addSafetyOptions } from '../options.js';
import type { RunnerOptions } from '../runtime.js';
import type { RegisterCommand } from './types.js';

export const registerRollback: RegisterCommand = (program, io, run) => {
  const cmd = program
    .command('rollback')
    .description('undo the active migration (any time before contract): the database ends as it was before expand');
  addSafetyOptions(addCommonOptions(cmd)).action((opts: RunnerOptions & { lockWait: string; json?: boolean }) =>
    run(async () => (await import('../actions/rollback.js')).runRollback(io, opts)),
  );
};

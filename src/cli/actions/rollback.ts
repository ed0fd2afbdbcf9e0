import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { parseFlagDuration } from '../options.js';
import { unlessLocked, unlessNothingActive, withZdm, type RunnerOptions } from '../runtime.js';

/** `zdm rollback`. */
export async function runRollback(
  io: CliIO,
  opts: RunnerOptions & { lockWait: string; json?: boolean },
): Promise<number> {
  const lockWaitMs = parseFlagDuration('--lock-wait', opts.lockWait);
  const result = await withZdm(io, 'rollback', opts, async (zdm) =>
    unlessNothingActive(unlessLocked(await zdm.rollback({ lockWaitMs }))),
  );
  io.stdout(
    opts.json
      ? `${JSON.stringify(result)}\n`
      : `${result.migration}: rolled back (${result.undone.length} step(s) undone)\n`,
  );
  return ExitCode.ok;
}

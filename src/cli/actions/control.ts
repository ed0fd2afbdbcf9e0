import { UsageError } from '../../errors.js';
import type { Control } from '../../api/zdm.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { unlessNothingActive, withZdm, type RunnerOptions } from '../runtime.js';

/** `zdm pause` / `zdm resume`: set the flag a running backfill (on any machine) reads before each batch. */
export function runPause(io: CliIO, opts: RunnerOptions & { reason?: string }, paused: boolean): Promise<number> {
  return withZdm(io, paused ? 'pause' : 'resume', opts, async (zdm) => {
    const result = unlessNothingActive(
      paused ? await zdm.pause(opts.reason === undefined ? {} : { reason: opts.reason }) : await zdm.resume(),
    );
    io.stdout(
      opts.json ? `${JSON.stringify(result)}\n` : `${result.migration}: ${result.paused ? 'paused' : 'resumed'}\n`,
    );
    return ExitCode.ok;
  });
}

/** `zdm tune`: runtime overrides in migrations.control, read by a running backfill every second. */
export function runTune(
  io: CliIO,
  opts: RunnerOptions & { batchSize?: string; maxRowsPerSecond?: string },
): Promise<number> {
  const change: Control = {};
  if (opts.batchSize !== undefined) change.batchSize = positiveInt('--batch-size', opts.batchSize);
  if (opts.maxRowsPerSecond !== undefined)
    change.maxRowsPerSecond =
      opts.maxRowsPerSecond === 'off' ? null : positiveInt('--max-rows-per-second', opts.maxRowsPerSecond);
  if (Object.keys(change).length === 0)
    throw new UsageError('zdm tune: give --batch-size and/or --max-rows-per-second');
  // The tuned values are not this process's own settings: keep them out of config resolution.
  return withZdm(io, 'tune', { ...opts, batchSize: undefined, maxRowsPerSecond: undefined }, async (zdm) => {
    const result = unlessNothingActive(await zdm.tune(change));
    io.stdout(opts.json ? `${JSON.stringify(result)}\n` : `${result.migration}: ${JSON.stringify(result.control)}\n`);
    return ExitCode.ok;
  });
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: expected a positive whole number, got "${value}"`);
  return n;
}

import { PHASES, type Phase } from '../../plan/types.js';
import type { AdvanceResult, JoinResult } from '../../api/zdm.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { parseFlagDuration } from '../options.js';
import { createProgressRenderer } from '../progress.js';
import { unlessLocked, withZdm, type RunnerOptions } from '../runtime.js';

/** `zdm advance`: 0 done or nothing pending, 5 waiting on a gate; errors map through exit-codes.ts. */
export async function runAdvance(
  io: CliIO,
  opts: RunnerOptions & { until?: Phase; lockWait: string; join?: boolean },
): Promise<number> {
  if (opts.join) return runJoin(io, opts);
  const lockWaitMs = parseFlagDuration('--lock-wait', opts.lockWait);
  const progress = createProgressRenderer(io, Boolean(opts.json));
  let result: AdvanceResult;
  try {
    result = await withZdm(
      io,
      'advance',
      opts,
      async (zdm) => unlessLocked(await zdm.advance({ ...(opts.until ? { until: opts.until } : {}), lockWaitMs })),
      progress.emit,
    );
  } finally {
    progress.stop();
  }
  if (opts.json) io.stdout(`${JSON.stringify(result)}\n`);
  switch (result.kind) {
    case 'nothing-pending':
      if (!opts.json) io.stdout('nothing to do: every migration is complete\n');
      return ExitCode.ok;
    case 'advanced':
      if (!opts.json)
        io.stdout(
          `${result.migration}: ${result.ran.length ? `ran ${result.ran.join(', ')}` : 'no phase to run'}${result.complete ? '; migration complete' : result.phase ? `; next: ${PHASES[PHASES.indexOf(result.phase) + 1]}` : ''}\n`,
        );
      return ExitCode.ok;
    case 'waiting':
      if (!opts.json)
        io.stdout(
          `${result.migration}: waiting ` +
            `before ${result.phase}: ${result.reason}${result.ran.length ? ` (ran ${result.ran.join(', ')})` : ''}\n`,
        );
      return ExitCode.waiting;
  }
}

/** `zdm advance --join`: 0 after helping (or when there is nothing to join: said on stdout). */
async function runJoin(io: CliIO, opts: RunnerOptions): Promise<number> {
  const progress = createProgressRenderer(io, Boolean(opts.json));
  let result: JoinResult;
  try {
    result = await withZdm(io, 'advance --join', opts, (zdm) => zdm.join(), progress.emit);
  } finally {
    progress.stop();
  }
  if (opts.json) io.stdout(`${JSON.stringify(result)}\n`);
  else
    io.stdout(
      result.kind === 'joined'
        ? `${result.migration}: helped backfill ${result.steps.join(', ')} until no chunk was left\n`
        : `nothing to join: ${result.reason}\n`,
    );
  return ExitCode.ok;
}

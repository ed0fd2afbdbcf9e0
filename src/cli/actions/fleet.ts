import { formatDuration } from '../../config/units.js';
import { errorHeadline, UsageError } from '../../errors.js';
import {
  executeFleet,
  type FleetCommand,
  type FleetProgress,
  type FleetSummary,
  type TargetOutcome,
} from '../../api/fleet.js';
import { fleetEntries } from '../../fleet/targets.js';
import type { Phase } from '../../plan/types.js';
import { commandContext, type CliIO } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { parseFlagDuration } from '../options.js';
import type { RunnerOptions } from '../runtime.js';

export type FleetFlags = RunnerOptions & {
  fleet?: string;
  target?: string[];
  canary: string;
  concurrency: string;
  onFailure: 'stop' | 'continue';
  lockWait: string;
  until?: Phase;
};

/**
 * `zdm fleet plan|advance|rollback|status`: exit 0 when every target is done, 1 when one failed
 * (or was interrupted), 4 when one's lock is held, 5 when one waits on a gate (in that order).
 */
export async function runFleetCommand(io: CliIO, command: FleetCommand, opts: FleetFlags): Promise<number> {
  const canary = count('--canary', opts.canary, 0);
  const concurrency = count('--concurrency', opts.concurrency, 1);
  const lockWaitMs = parseFlagDuration('--lock-wait', opts.lockWait);
  if (command === 'advance' && !opts.until)
    throw new UsageError('zdm fleet advance: give --until <phase>, so running it again resumes instead of moving on');
  const cli = commandContext(io, opts);
  const { summary, targets: outcomes } = await executeFleet({
    command,
    entries: fleetEntries(io.cwd, opts.fleet, opts.target ?? []),
    config: cli.config,
    cwd: io.cwd,
    log: cli.log,
    signal: io.signal,
    lockWaitMs,
    canary,
    concurrency,
    onFailure: opts.onFailure,
    onProgress: (p) => p.finished && io.stderr(progressLine(p)),
    ...(io.gatePacing ? { gatePacing: io.gatePacing } : {}),
    ...(opts.until ? { until: opts.until } : {}),
  });
  io.stdout(
    opts.json ? `${JSON.stringify({ command, summary, targets: outcomes }, null, 2)}\n` : table(outcomes, summary),
  );
  return exitCode(outcomes, io.signal);
}

function count(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag}: expected a whole number >= ${min}, got "${value}"`);
  return n;
}

function progressLine(p: FleetProgress): string {
  const counts = `${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed, ${p.waiting} waiting`;
  if (!p.finished) return '';
  const f = p.finished;
  return `fleet: [${counts}] ${f.target}: ${f.status}${f.note && f.note !== f.status ? ` (${f.note})` : ''}${f.error ? `: ${errorHeadline(f.error)}` : ''}\n`;
}

function table(outcomes: TargetOutcome[], s: FleetSummary): string {
  const rows = [
    ['TARGET', 'MIGRATION', 'PHASE', 'STATUS', 'TIME', 'ERROR'],
    ...outcomes.map((o) => [
      o.target,
      o.migration ?? '-',
      o.phase ?? '-',
      o.note && o.note !== o.status ? `${o.status}: ${o.note}` : o.status,
      o.status === 'not-started' ? '-' : formatDuration(o.ms),
      o.error ? errorHeadline(o.error) : '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  const total =
    `${s.total} targets: ${s.done} done, ${s.failed} failed, ${s.waiting} ` +
    `waiting, ${s.locked} locked, ${s.notStarted} not started (${formatDuration(s.ms)})`;
  return `${lines.join('\n')}\n\n${total}\n`;
}

function exitCode(outcomes: TargetOutcome[], signal: AbortSignal): ExitCodeValue {
  const has = (status: TargetOutcome['status']) => outcomes.some((o) => o.status === status);
  if (signal.aborted) return ExitCode.interrupted;
  if (has('failed') || has('interrupted')) return ExitCode.failure;
  if (has('locked')) return ExitCode.locked;
  if (has('waiting')) return ExitCode.waiting;
  return has('not-started') ? ExitCode.failure : ExitCode.ok;
}

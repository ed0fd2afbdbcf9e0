import { formatDuration } from '../../config/units.js';
import { errorHeadline, UsageError } from '../../errors.js';
import { runFleet, type FleetProgress, type TargetOutcome } from '../../fleet/run.js';
import { fleetEntries, resolveTargets } from '../../fleet/targets.js';
import { fleetWork, type FleetCommand } from '../../fleet/work.js';
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
  const targets = await resolveTargets(fleetEntries(io.cwd, opts.fleet, opts.target ?? []));
  const work = fleetWork(command, {
    config: cli.config,
    cwd: io.cwd,
    log: cli.log,
    signal: io.signal,
    lockWaitMs,
    ...(io.gatePacing ? { gatePacing: io.gatePacing } : {}),
    ...(opts.until ? { until: opts.until } : {}),
  });
  const started = Date.now();
  const outcomes = await runFleet(targets, work, {
    canary,
    concurrency,
    onFailure: opts.onFailure,
    signal: io.signal,
    onProgress: (p) => p.finished && io.stderr(progressLine(p)),
  });
  const summary = summarize(outcomes, Date.now() - started);
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

interface Summary {
  total: number;
  done: number;
  failed: number;
  waiting: number;
  locked: number;
  notStarted: number;
  ms: number;
}

function summarize(outcomes: TargetOutcome[], ms: number): Summary {
  const n = (status: TargetOutcome['status'][]) => outcomes.filter((o) => status.includes(o.status)).length;
  return {
    total: outcomes.length,
    done: n(['done']),
    failed: n(['failed', 'interrupted']),
    waiting: n(['waiting']),
    locked: n(['locked']),
    notStarted: n(['not-started']),
    ms,
  };
}

function table(outcomes: TargetOutcome[], s: Summary): string {
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

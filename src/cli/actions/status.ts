import path from 'node:path';
import { formatDuration } from '../../config/units.js';
import { errorHeadline } from '../../errors.js';
import { LIVE_STALE_SECONDS, type BackfillStatus, type MigrationStatus, type StatusReport } from '../../api/zdm.js';
import { lagShort } from '../progress-line.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { withZdm, type RunnerOptions } from '../runtime.js';

/** `zdm status [--json]`. */
export function runStatus(io: CliIO, opts: RunnerOptions & { json?: boolean }): Promise<number> {
  return withZdm(io, 'status', opts, async (zdm) => {
    const report = await zdm.status();
    io.stdout(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report, io.cwd));
    return ExitCode.ok;
  });
}

function renderStatus(report: StatusReport, cwd: string): string {
  const out: string[] = [];
  if (report.migrations.length === 0) out.push('no migrations');
  for (const m of report.migrations) out.push(...migrationLines(m, cwd, report.lockHolder !== null));
  if (report.lockHolder)
    out.push('', `runner lock held by "${report.lockHolder.applicationName}" (backend pid ${report.lockHolder.pid})`);
  return `${out.join('\n')}\n`;
}

function migrationLines(m: MigrationStatus, cwd: string, runnerAlive: boolean): string[] {
  const relative = m.file ? path.relative(cwd, m.file) : '';
  const file = !m.file ? '-' : relative && !relative.startsWith('..') ? relative : m.file;
  const phase = m.status === 'active' ? `  ${phaseText(m, runnerAlive)}` : '';
  const flags = [
    m.drift ? 'DRIFT: file changed since it was applied' : '',
    m.missingFile ? 'file missing' : '',
    m.paused ? `PAUSED${m.pauseReason ? `: ${m.pauseReason}` : ''}` : '',
  ].filter(Boolean);
  const lines = [`${m.status.padEnd(11)} ${m.name}${phase}  (${file})${flags.length ? `  [${flags.join('; ')}]` : ''}`];
  if (m.status === 'active')
    lines.push(
      `            steps: ${m.steps.done}/${m.steps.total} ` +
        `done${m.steps.failed ? `, ${m.steps.failed} failed` : ''}${m.steps.running ? `, ${m.steps.running} running` : ''}`,
    );
  for (const b of m.backfills) {
    const pct = b.percent === null ? '?' : `${b.percent.toFixed(1)}%`;
    const head =
      `            backfill ${b.table}: ${b.rowsScanned.toLocaleString('en-US')}/${b.totalEstimate?.toLocaleString('en-US') ?? '?'} ` +
      `rows (${pct})${b.done ? ' done' : ''}, ${b.batches} batches`;
    lines.push(`${head}, ${b.live && b.live.ageSeconds < LIVE_STALE_SECONDS ? liveText(b.live) : averageText(b)}`);
  }
  if (m.lastError) lines.push(`            last error: ${errorHeadline(m.lastError)}`);
  return lines;
}

/**
 * Where an active migration stands, in words: the phase running now (or stopped half-way: its
 * runner died or failed), else the last phase done and the next one.
 */
function phaseText(m: MigrationStatus, runnerAlive: boolean): string {
  const done = m.phase ? `${m.phase} done` : 'no phase done yet';
  if (m.currentPhase)
    return runnerAlive
      ? `${m.currentPhase} running now (${done})`
      : `${m.currentPhase} started, not running now (${done}; zdm advance continues it)`;
  return `${done}; next: ${m.nextPhase ?? '-'} (zdm advance)`;
}

/** What the runner's progress bar shows, as it last wrote it. */
function liveText(live: NonNullable<BackfillStatus['live']>): string {
  const eta = live.etaSeconds === null ? '?' : formatDuration(live.etaSeconds * 1000);
  const paused = live.paused ? `  [PAUSED ${formatDuration(live.pausedMs)}: ${live.paused}]` : '';
  return (
    `batch size ${live.batchSize}, ${Math.round(live.rowsPerSecond).toLocaleString('en-US')} ` +
    `rows/s, ETA ${eta}, lag ${lagShort(live.lag)}${paused}`
  );
}

/** No runner is reporting: averages since the start, and how old the last report is. */
function averageText(b: BackfillStatus): string {
  const eta =
    b.rowsPerSecond && b.totalEstimate && !b.done
      ? `, ETA ${formatDuration(((b.totalEstimate - b.rowsScanned) / b.rowsPerSecond) * 1000)} at that rate`
      : '';
  const rate = b.rowsPerSecond
    ? `, ${Math.round(b.rowsPerSecond).toLocaleString('en-US')} rows/s on average${eta}`
    : '';
  const stale = b.live
    ? `; no runner has reported for ${formatDuration(b.live.ageSeconds * 1000)} (zdm advance continues it)`
    : '';
  return `batch size ${b.batchSize}${rate}${stale}`;
}

import { formatBytes, formatDuration } from '../config/units.js';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_LOCK_RETRIES,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_TARGET_BATCH_MS,
} from '../defaults.js';
import { displayName, type QualifiedName } from '../db/quote.js';
import { formatRows } from './describe.js';
import { LOCK_MODES, lockEffect, type LockDuration, type LockMode, type Phase, type Plan } from './types.js';
import { DEFAULT_ROW_WIDTH, rowWidth, walBytesPerRow } from './wal-per-row.js';

/*
 * PURE: the plan in a few lines per table, what a reviewer reads before the steps: the strongest
 * lock each relation gets and for how long, rewrites and scans, the rows to backfill with the
 * time and WAL they take by the existing estimates, and the lock settings in force.
 */

/** The settings that change what the summary says (the CLI passes the resolved ones). */
export interface SummarySettings {
  lockTimeoutMs: number;
  lockRetries: number;
  workers: number;
  batchSize: number;
  targetBatchMs: number;
  maxRowsPerSecond?: number | undefined;
}

export const DEFAULT_SUMMARY_SETTINGS: SummarySettings = {
  lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
  lockRetries: DEFAULT_LOCK_RETRIES,
  workers: 1,
  batchSize: DEFAULT_BATCH_SIZE,
  targetBatchMs: DEFAULT_TARGET_BATCH_MS,
};

export interface RelationSummary {
  relation: QualifiedName;
  /** The strongest lock any step takes on it, the longest it is held in that mode, and in which phases. */
  lock: { mode: LockMode; duration: LockDuration; phases: Phase[] };
  rewrites: boolean;
  /** Steps that read the whole table (validations, index builds, verifies). */
  scans: number;
  backfill?: { rows: number | undefined; ms: number | undefined; walBytes: number | undefined };
  /** A partition a backfill of its partitioned table walks: that table (the estimate is on it). */
  backfilledWith?: string;
}

const DURATION_ORDER: LockDuration[] = ['none', 'brief', 'per-batch', 'scan', 'rewrite'];

/** One entry per relation some step locks, in the order the plan first touches them. */
export function summarize(plan: Plan, settings: SummarySettings = DEFAULT_SUMMARY_SETTINGS): RelationSummary[] {
  const byName = new Map<string, RelationSummary>();
  for (const step of plan.steps) {
    for (const lock of step.impact.locks) {
      const key = displayName(lock.relation);
      const entry = byName.get(key) ?? {
        relation: lock.relation,
        lock: { mode: lock.mode, duration: step.impact.lockDuration, phases: [] },
        rewrites: false,
        scans: 0,
      };
      byName.set(key, entry);
      mergeLock(entry, lock.mode, step.impact.lockDuration, step.phase);
      entry.rewrites ||= step.impact.rewritesTable;
      if (step.impact.scansTable) entry.scans++;
      // The estimate is the whole table's: given once, on the table, not again on each partition it walks.
      if (step.kind !== 'backfill') continue;
      if (key === displayName(step.table))
        entry.backfill = backfillEstimate(plan, step.table, step.impact.estimatedRows, settings);
      else entry.backfilledWith = displayName(step.table);
    }
  }
  return [...byName.values()];
}

function mergeLock(entry: RelationSummary, mode: LockMode, duration: LockDuration, phase: Phase): void {
  const cmp = LOCK_MODES.indexOf(mode) - LOCK_MODES.indexOf(entry.lock.mode);
  if (cmp > 0) entry.lock = { mode, duration, phases: [phase] };
  if (cmp !== 0) return;
  if (DURATION_ORDER.indexOf(duration) > DURATION_ORDER.indexOf(entry.lock.duration)) entry.lock.duration = duration;
  if (!entry.lock.phases.includes(phase)) entry.lock.phases.push(phase);
}

/** Rows per second the backfill starts at: the first batch size every target batch time, per worker, under the cap. */
function startingPace(settings: SummarySettings): number {
  const pace = (Math.max(1, settings.workers) * settings.batchSize * 1000) / settings.targetBatchMs;
  return Math.min(pace, settings.maxRowsPerSecond ?? Infinity);
}

function backfillEstimate(plan: Plan, table: QualifiedName, rows: number | undefined, settings: SummarySettings) {
  const stats = plan.tables.find((t) => displayName(t.table) === displayName(table));
  const indexes = stats?.indexes ?? 1;
  const width = stats
    ? rowWidth({ tuples: stats.estimatedRows, relpages: stats.sizeBytes / 8192, statWidth: null, indexes })
    : DEFAULT_ROW_WIDTH;
  return {
    rows,
    ms: rows === undefined ? undefined : (rows / startingPace(settings)) * 1000,
    walBytes: rows === undefined ? undefined : rows * walBytesPerRow(width, indexes),
  };
}

const DURATION_TEXT: Record<LockDuration, string> = {
  none: 'not held',
  brief: 'brief',
  'per-batch': 'per batch',
  scan: 'while scanning',
  rewrite: 'while rewriting',
};

/** `ACCESS EXCLUSIVE, brief, in expand and contract (blocks reads and writes)` */
export function lockText(s: RelationSummary): string {
  return (
    `${s.lock.mode}, ${DURATION_TEXT[s.lock.duration]}, ` +
    `in ${s.lock.phases.join(', ')} (${lockEffect(s.lock.mode)})`
  );
}

export function backfillText(s: RelationSummary, settings: SummarySettings): string {
  if (!s.backfill) return s.backfilledWith ? `backfilled with ${s.backfilledWith}` : 'no backfill';
  const { rows, ms, walBytes } = s.backfill;
  const time = ms === undefined ? 'unknown time' : `~${formatDuration(ms)}`;
  const wal = walBytes === undefined ? 'unknown WAL' : `~${formatBytes(Math.round(walBytes))} WAL`;
  const pace = Math.round(startingPace(settings)).toLocaleString('en-US');
  return `backfill ${formatRows(rows)} rows, ${time} at ${pace} rows/s, ${wal}`;
}

/** The lines under "Summary:" in the text plan. */
export function summaryLines(plan: Plan, settings: SummarySettings = DEFAULT_SUMMARY_SETTINGS): string[] {
  const lines = summarize(plan, settings).map(
    (s) =>
      `${displayName(s.relation)}: ${lockText(s)}; rewrites: ${s.rewrites ? 'YES' : 'no'}; ` +
      `scans: ${s.scans}; ${backfillText(s, settings)}`,
  );
  lines.push(...settingsLines(plan, settings));
  return lines;
}

export function settingsLines(plan: Plan, settings: SummarySettings): string[] {
  const lines = [
    `lock_timeout ${formatDuration(settings.lockTimeoutMs)} for every locking statement, ` +
      `up to ${settings.lockRetries} attempts per step with backoff`,
  ];
  if (plan.steps.some((s) => s.kind === 'backfill'))
    lines.push(
      `backfill time is a rough estimate at the first batches' pace ` +
        `(${settings.batchSize.toLocaleString('en-US')} rows ` +
        `per ${formatDuration(settings.targetBatchMs)} per ` +
        `worker${settings.maxRowsPerSecond ? `, capped at ${settings.maxRowsPerSecond} rows/s` : ''}); ` +
        `the real rate is measured while it runs`,
    );
  if (plan.steps.some((s) => s.phase === 'contract'))
    lines.push('contract cannot be rolled back: zdm rollback works only before contract starts');
  return lines;
}

import { BATCH_STATEMENT_TIMEOUT_FACTOR, BATCH_WAL_SHARE } from '../defaults.js';
import { displayName } from '../db/quote.js';
import { StateError } from '../errors.js';
import type { RunnerContext } from '../exec/context.js';
import type { BackfillProgress } from '../exec/events.js';
import type { BackfillRow } from '../exec/state-store.js';
import type { BackfillStep } from '../plan/types.js';
import { BatchLoop } from './batch-loop.js';
import { ControlPoller } from './control.js';
import { estimateRows } from './estimate.js';
import { assertWalSafety, createBackfillThrottle } from './gates.js';
import { LiveWriter } from './live.js';
import { ProgressReporter } from './progress.js';
import { splitKeyRange } from './split.js';
import { DEFAULT_ROW_WIDTH, walBytesPerRow } from '../plan/wal-per-row.js';
import { WalMeter } from './wal-meter.js';
import { ChunkSource, SequentialSource, type BackfillId, type WorkSource } from './work-source.js';
import { decodePosition } from './partition-position.js';
import { PartitionSource, remainingFrom, splitPartitions, walkOrder, type ChunkRange } from './partition-walk.js';
import { WorkerSizing } from './worker-sizing.js';

/** Chunks per worker when a backfill is split for parallel workers (more chunks balance better). */
const CHUNKS_PER_WORKER = 4;

export interface BackfillRunOptions {
  /** `zdm advance --join`: help another runner's parallel backfill, do not start or finish it. */
  join?: boolean;
}

/** A backfill ready to run: its state row, the rows estimated in all, and whether it is split into chunks. */
interface Started {
  row: BackfillRow;
  resumed: boolean;
  total: number | null;
  chunked: boolean;
}

/**
 * Runs one table's backfill to the end of the table: short keyset batches, each its own
 * transaction that also advances the cursor in zdm's state, so a runner killed at any point
 * resumes after the last committed batch and redoes at most the one in flight.
 *
 * With `workers > 1` the remaining key range is split into chunks (zdm.backfill_chunks) that
 * workers claim with FOR UPDATE SKIP LOCKED, each with its own cursor; other processes can join
 * (`zdm advance --join`) and claim chunks the same way, under the same gates. A chunk whose
 * worker died (its backend is gone) is claimed again and continued from its cursor.
 */
export async function runBackfill(
  step: BackfillStep,
  migration: string,
  ctx: RunnerContext,
  opts: BackfillRunOptions = {},
): Promise<void> {
  const pool = ctx.conn.pool;
  const join = opts.join ?? false;
  const started = await start(step, migration, ctx, join);
  if (!started) return;
  await work(step, migration, ctx, join, started);
  if (join) return;
  // Chunks record no end of their own; a partitioned table with no partition left runs no batch.
  if (started.chunked || step.partitions) await ctx.state.finishBackfill(pool, migration, step.id);
  await ctx.state.stepFinished(pool, migration, step.id, step.phase, 'done');
}

/** Starts the backfill's state (or finds it, to resume or join); undefined when it is done already. */
async function start(
  step: BackfillStep,
  migration: string,
  ctx: RunnerContext,
  join: boolean,
): Promise<Started | undefined> {
  const pool = ctx.conn.pool;
  if (!join) await ctx.state.stepStarted(pool, migration, step.id, step.phase);
  const existing = await ctx.state.backfill(pool, migration, step.id);
  if (join && !existing)
    throw new StateError(`the backfill of ${displayName(step.table)} has not started; nothing to join`);
  const total = existing?.total_estimate ?? (await estimateRows(pool, step.table));
  const row =
    existing ??
    (await ctx.state.startBackfill(pool, {
      migration,
      step_id: step.id,
      table_name: displayName(step.table),
      batch_size: ctx.settings.batchSize,
      total_estimate: total,
    }));
  if (row.done) {
    if (!join) await ctx.state.stepFinished(pool, migration, step.id, step.phase, 'done');
    return undefined;
  }
  const chunked = await splitForWorkers(step, migration, ctx, join, row, total);
  return { row, resumed: existing !== undefined, total, chunked };
}

/** Whether the backfill runs in chunks: split by an earlier run, or split now for --workers N. */
async function splitForWorkers(
  step: BackfillStep,
  migration: string,
  ctx: RunnerContext,
  join: boolean,
  row: BackfillRow,
  total: number | null,
): Promise<boolean> {
  const pool = ctx.conn.pool;
  const { workers } = ctx.settings;
  if ((await ctx.state.chunks(pool, migration, step.id)).length > 0) return true;
  if (join)
    throw new StateError(
      `the backfill of ${displayName(step.table)} runs in one worker; ` +
        `only a parallel backfill (zdm advance --workers N) can be joined`,
    );
  if (workers <= 1) return false;
  const remaining = total === null ? null : total - row.rows_scanned;
  const chunks = workers * CHUNKS_PER_WORKER;
  const ranges = step.partitions
    ? await splitPartitions(pool, step, row.last_key, chunks)
    : consecutive(await splitKeyRange(pool, step, row.last_key, chunks, remaining));
  await ctx.state.createChunks(pool, migration, step.id, ranges);
  ctx.log.info({ step: step.id, chunks: ranges.length, workers }, 'backfill split into chunks');
  return true;
}

/** Chunks between consecutive bounds. */
function consecutive(bounds: (string[] | null)[]): ChunkRange[] {
  return bounds.slice(0, -1).map((lo, i) => ({ lo, hi: bounds[i + 1] ?? null }));
}

/** Where the workers get their ranges: chunks, the leaf partitions in order, or the whole table. */
async function workSource(step: BackfillStep, ctx: RunnerContext, id: BackfillId, s: Started): Promise<WorkSource> {
  if (s.chunked) return new ChunkSource(ctx, id, step.partitions !== undefined);
  if (!step.partitions) return new SequentialSource(ctx, id, s.row.last_key);
  const { leaves, cursor } = remainingFrom(await walkOrder(ctx.conn.pool, step), decodePosition(s.row.last_key));
  return new PartitionSource(ctx, id, leaves, cursor);
}

/** Runs the workers until no range is left, under the gates, and reports the final progress. */
async function work(step: BackfillStep, migration: string, ctx: RunnerContext, join: boolean, s: Started) {
  const { settings } = ctx;
  const pool = ctx.conn.pool;
  const remaining = s.total === null ? null : Math.max(0, s.total - s.row.rows_scanned);
  const wal = join ? undefined : await assertWalSafety(ctx, step, remaining);
  const workers = s.chunked ? settings.workers : 1;
  const sizing = new WorkerSizing(
    new WalMeter(wal?.bytesPerRow ?? walBytesPerRow(DEFAULT_ROW_WIDTH, 1)),
    (settings.maxLagBytes * BATCH_WAL_SHARE) / workers,
    workers,
    s.resumed ? s.row.batch_size : settings.batchSize,
    settings.targetBatchMs,
  );
  const live = new LiveWriter(ctx, migration, step.id);
  const progress = new ProgressReporter(
    // One writer of the live progress per backfill: the runner that started it.
    { emit: ctx.emit, ...(join ? {} : { live: (p: BackfillProgress) => live.write(p) }) },
    { migration, stepId: step.id, table: displayName(step.table) },
    s.total,
    { scanned: s.row.rows_scanned, updated: s.row.rows_updated, batches: s.row.batches },
    s.chunked,
  );
  const control = new ControlPoller(
    {
      read: () => ctx.state.migration(pool, migration),
      ...(s.chunked ? { readShared: () => ctx.state.backfill(pool, migration, step.id) } : {}),
    },
    {
      setBatchSize: (size) => sizing.override(size),
      shared: (totals) => progress.shared(totals),
      changed: (change) => ctx.emit({ type: 'backfill-control', migration, stepId: step.id, ...change }),
    },
    settings.maxRowsPerSecond,
  );
  const sessionPids = new Set<number>();
  const throttle = createBackfillThrottle(ctx, step, () => control.poll(), { ownPids: () => [...sessionPids] });
  const id = { migration, stepId: step.id };
  const source = await workSource(step, ctx, id, s);
  const statementTimeoutMs = Math.max(10_000, settings.targetBatchMs * BATCH_STATEMENT_TIMEOUT_FACTOR);
  const loop = new BatchLoop({
    ctx,
    step,
    migration,
    join,
    workers,
    source,
    throttle,
    control,
    progress,
    sizing,
    sessionPids,
    statementTimeoutMs,
  });
  try {
    await loop.run();
  } finally {
    await throttle.close();
    await live.flush();
  }
  // A chunked backfill's counters were last read up to a second ago, and a reading taken while a
  // batch of this process committed can miss it: read them again now that every worker stopped
  // and every chunk is done, so the final report counts exactly the rows the workers covered.
  if (s.chunked) {
    const final = await ctx.state.backfill(pool, migration, step.id);
    if (final) progress.shared(final);
  }
  progress.report(null, [], 0, sizing.sizer(0).current, true);
}

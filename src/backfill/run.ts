import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { BATCH_STATEMENT_TIMEOUT_FACTOR, BATCH_WAL_SHARE, MAX_BATCH_SIZE, MIN_BATCH_SIZE } from '../defaults.js';
import { displayName, quoteQualified, type QualifiedName } from '../db/quote.js';
import { errorMessage, InterruptedError, StateError, StepFailedError } from '../errors.js';
import type { BackfillStep } from '../plan/types.js';
import { summarize } from '../replication/gate.js';
import type { RunnerContext } from '../exec/context.js';
import { inTransaction } from '../exec/transaction.js';
import { isRetryableLockError, sqlState } from '../exec/retry.js';
import { BatchSizer } from './sizer.js';
import { BACKFILL_SETTING, batchSql } from '../plan/backfill-sql.js';
import { splitKeyRange } from './split.js';
import { RateMeter } from './rate.js';
import { WalMeter } from './wal-meter.js';
import { LiveWriter } from './live.js';
import type { BackfillProgress } from '../exec/events.js';
import { DEFAULT_ROW_WIDTH, walBytesPerRow } from './wal-estimate.js';
import { assertWalSafety, createBackfillThrottle } from './gates.js';

/** Chunks per worker when a backfill is split for parallel workers (more chunks balance better). */
const CHUNKS_PER_WORKER = 4;
/** A chunk claim not renewed by a batch for this long can be taken over, even if its worker's
 * connection still looks alive (a runner on a partitioned machine). */
const CHUNK_LEASE_SECONDS = 300;

export interface BackfillRunOptions {
  /** `zdm advance --join`: help another runner's parallel backfill, do not start or finish it. */
  join?: boolean;
}

/** One key range a worker backfills: (cursor, ceiling], recorded by `record` in each batch. */
interface WorkRange {
  label: string;
  cursor: string[] | null;
  ceiling: string[] | null;
  /** Writes the batch's progress in its transaction; false = the range is no longer ours. */
  record(
    client: pg.PoolClient,
    batch: { lastKey: string[] | null; updated: number; scanned: number; batchSize: number; done: boolean },
  ): Promise<boolean>;
}

class LostClaim extends Error {}

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
  const { settings } = ctx;
  const join = opts.join ?? false;
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
      batch_size: settings.batchSize,
      total_estimate: total,
    }));
  if (row.done) {
    if (!join) await ctx.state.stepFinished(pool, migration, step.id, step.phase, 'done');
    return;
  }
  let chunked = (await ctx.state.chunks(pool, migration, step.id)).length > 0;
  if (join && !chunked)
    throw new StateError(
      `the backfill of ${displayName(step.table)} runs in one worker; only a parallel backfill (zdm advance --workers N) can be joined`,
    );
  if (!chunked && settings.workers > 1) {
    const bounds = await splitKeyRange(
      pool,
      step,
      row.last_key,
      settings.workers * CHUNKS_PER_WORKER,
      total === null ? null : total - row.rows_scanned,
    );
    await ctx.state.createChunks(pool, migration, step.id, bounds);
    chunked = true;
    ctx.log.info({ step: step.id, chunks: bounds.length - 1, workers: settings.workers }, 'backfill split into chunks');
  }
  const wal = join
    ? undefined
    : await assertWalSafety(ctx, step, total === null ? null : Math.max(0, total - row.rows_scanned));

  const workerCount = chunked ? settings.workers : 1;
  // One batch's WAL stays under a share of --max-lag-bytes (all workers together), by the WAL per
  // row measured so far (the estimate until the first batch), or a single batch could overshoot
  // the lag limit by itself.
  const walMeter = new WalMeter(wal?.bytesPerRow ?? walBytesPerRow(DEFAULT_ROW_WIDTH, 1));
  const walCap = () =>
    Number.isFinite(settings.maxLagBytes)
      ? walMeter.rowsFor((settings.maxLagBytes * BATCH_WAL_SHARE) / workerCount)
      : Infinity;
  const maxBatch = Math.max(MIN_BATCH_SIZE, Math.min(MAX_BATCH_SIZE, walCap()));
  const sizers = Array.from(
    { length: workerCount },
    () =>
      new BatchSizer(existing ? row.batch_size : settings.batchSize, settings.targetBatchMs, MIN_BATCH_SIZE, maxBatch),
  );
  let lastControlRead = 0;
  let operatorPause: string | null = null;
  let maxRowsPerSecond = settings.maxRowsPerSecond;
  const pids = new Set<number>();
  const throttle = createBackfillThrottle(
    ctx,
    step,
    async () => {
      if (Date.now() - lastControlRead > 1000) {
        lastControlRead = Date.now();
        const m = await ctx.state.migration(pool, migration);
        operatorPause = m?.paused ? (m.pause_reason ?? '') : null;
        const batchSize = m?.control.batchSize;
        if (batchSize) for (const sizer of sizers) if (sizer.current !== batchSize) sizer.override(batchSize);
        if (m?.control.maxRowsPerSecond !== undefined) maxRowsPerSecond = m.control.maxRowsPerSecond ?? undefined;
        await refreshSharedTotals();
      }
      return operatorPause;
    },
    { ownPids: () => [...pids] },
  );
  const rate = new RateMeter();
  rate.start();
  const live = new LiveWriter(ctx, migration, step.id);
  const totals = { scanned: row.rows_scanned, updated: row.rows_updated, batches: row.batches };
  // A chunked backfill may have workers in other processes (--join): its counters, and the rate
  // behind the ETA, come from zdm.backfills, which every worker's batches increment.
  let sharedScanned = row.rows_scanned;
  async function refreshSharedTotals(): Promise<void> {
    if (!chunked) return;
    const shared = await ctx.state.backfill(pool, migration, step.id);
    if (!shared) return;
    rate.add(Math.max(0, shared.rows_scanned - sharedScanned));
    sharedScanned = shared.rows_scanned;
    Object.assign(totals, { scanned: shared.rows_scanned, updated: shared.rows_updated, batches: shared.batches });
  }
  const statementTimeoutMs = Math.max(10_000, settings.targetBatchMs * BATCH_STATEMENT_TIMEOUT_FACTOR);
  let pausedAt: number | undefined;
  let failed = false;
  let sequentialTaken = false;
  let batchesRunning = 0;

  /** The next range for a worker: its chunk claim, 'wait' while other workers hold the rest. */
  const nextRange = async (session: pg.PoolClient, worker: string): Promise<WorkRange | 'wait' | undefined> => {
    if (!chunked) {
      if (sequentialTaken) return undefined;
      sequentialTaken = true;
      return {
        label: 'table',
        cursor: row.last_key,
        ceiling: null,
        record: async (client, batch) => (await ctx.state.recordBatch(client, migration, step.id, batch), true),
      };
    }
    const chunk = await ctx.state.claimChunk(session, migration, step.id, worker, CHUNK_LEASE_SECONDS);
    if (!chunk) return (await ctx.state.chunks(pool, migration, step.id)).every((c) => c.done) ? undefined : 'wait';
    return {
      label: `chunk ${chunk.chunk}`,
      cursor: chunk.last_key ?? chunk.lo,
      ceiling: chunk.hi,
      record: (client, batch) => ctx.state.recordChunkBatch(client, migration, step.id, chunk.chunk, worker, batch),
    };
  };

  const runWorker = async (index: number): Promise<void> => {
    const worker = `${ctx.conn.applicationName}/w${index + 1}`;
    const sizer = sizers[index]!;
    // One session per worker for all its batches: batches set only transaction-local settings
    // (SET LOCAL), and a new connection per batch would cost more than a small batch.
    const session = await pool.connect();
    try {
      const pid = (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      pids.add(pid);
      for (;;) {
        if (failed) return;
        if (ctx.signal.aborted)
          throw new InterruptedError(
            `during the backfill of ${displayName(step.table)} (cursor saved after batch ${totals.batches})`,
          );
        const range = await nextRange(session, worker);
        if (range === undefined) return;
        if (range === 'wait') {
          await sleep(500, undefined, { signal: ctx.signal }).catch(() => undefined);
          continue;
        }
        await workRange(range, session, sizer, worker);
      }
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      session.release(true);
    }
  };

  const workRange = async (
    range: WorkRange,
    session: pg.PoolClient,
    sizer: BatchSizer,
    worker: string,
  ): Promise<void> => {
    let cursor = range.cursor;
    let timeouts = 0;
    for (;;) {
      if (failed) return;
      if (ctx.signal.aborted)
        throw new InterruptedError(
          `during the backfill of ${displayName(step.table)} (cursor saved after batch ${totals.batches})`,
        );
      const size = sizer.current;
      const batchWal = size * walMeter.bytesPerRow;
      const verdict = await throttle.check(batchWal);
      if (!verdict.open) {
        pausedAt ??= Date.now();
        ctx.emit({
          type: 'backfill-pause',
          migration,
          stepId: step.id,
          reason: verdict.reason,
          waitedMs: Date.now() - pausedAt,
        });
        emitProgress(verdict.reason, summarize(verdict.readings), 0, sizer.current);
        await sleep(250, undefined, { signal: ctx.signal }).catch(() => undefined);
        continue;
      }
      if (pausedAt !== undefined) {
        ctx.log.info({ step: step.id, pausedMs: Date.now() - pausedAt }, 'backfill resumed');
        pausedAt = undefined;
      }
      const started = performance.now();
      let result: { hi: string[] | null; updated: number; walBytes: number; walEnd: number };
      let walEnd: number | undefined;
      // The WAL measured during a batch includes other workers' batches running beside it.
      let overlap = ++batchesRunning;
      try {
        result = await runBatch(ctx, session, step, range, cursor, size, statementTimeoutMs);
        walEnd = result.walEnd;
      } catch (err) {
        if (err instanceof LostClaim) {
          ctx.log.warn(
            { step: step.id, worker, range: range.label },
            'backfill chunk was taken over by another worker; leaving it',
          );
          return;
        }
        // A lock wait on a row the application holds, or a batch over its statement timeout:
        // halve the batch and try again (GitLab's split-and-retry); give up after lockRetries.
        if (
          (isRetryableLockError(err) || sqlState(err) === '57014') &&
          ++timeouts <= settings.lockRetries &&
          !ctx.signal.aborted
        ) {
          ctx.log.warn(
            { step: step.id, batchSize: size, next: sizer.shrink(), error: errorMessage(err) },
            'backfill batch timed out; retrying with a smaller batch',
          );
          continue;
        }
        const message = `batch after key ${cursor ? JSON.stringify(cursor) : '(start)'} of ${size} rows (${range.label}) failed: ${errorMessage(err)}`;
        if (!join)
          await ctx.state.stepFinished(pool, migration, step.id, step.phase, 'failed', message).catch(() => undefined);
        throw new StepFailedError(
          step.id,
          `${message}. The cursor is saved: fix the cause and run zdm advance, or zdm rollback`,
          { cause: err },
        );
      } finally {
        overlap = Math.max(overlap, batchesRunning--);
        throttle.done(batchWal, walEnd);
      }
      timeouts = 0;
      const ms = performance.now() - started;
      const done = result.hi === null;
      const covered = done ? result.updated : size;
      totals.scanned += covered;
      totals.updated += result.updated;
      totals.batches += 1;
      cursor = result.hi ?? cursor;
      if (!chunked) rate.add(covered);
      walMeter.observe(result.updated, result.walBytes / overlap);
      const cap = Math.min(MAX_BATCH_SIZE, walCap());
      for (const each of sizers) each.limit(cap);
      sizer.observe(size, ms);
      // The rate cap is shared evenly by this process's workers. Progress is reported after the
      // cap's sleep, so the rate it shows counts the sleep (right after a batch it read high).
      if (!done && maxRowsPerSecond)
        await sleep(Math.max(0, (covered / (maxRowsPerSecond / workerCount)) * 1000 - ms), undefined, {
          signal: ctx.signal,
        }).catch(() => undefined);
      emitProgress(null, summarize(verdict.readings), ms, sizer.current);
      if (done) return;
    }
  };

  function emitProgress(
    paused: string | null,
    lag: ReturnType<typeof summarize>,
    lastBatchMs: number,
    batchSize: number,
    done = false,
  ) {
    const rowsPerSecond = rate.perSecond();
    const remaining = Math.max(0, (total ?? totals.scanned) - totals.scanned);
    const progress: BackfillProgress = {
      rowsScanned: totals.scanned,
      rowsUpdated: totals.updated,
      totalEstimate: Math.max(total ?? 0, totals.scanned),
      batches: totals.batches,
      batchSize,
      rowsPerSecond,
      etaSeconds: done ? 0 : rowsPerSecond > 0 ? remaining / rowsPerSecond : null,
      lastBatchMs,
      lag,
      paused,
      pausedMs: paused !== null && pausedAt !== undefined ? Date.now() - pausedAt : 0,
      done,
    };
    ctx.emit({ type: 'backfill-progress', migration, stepId: step.id, table: displayName(step.table), progress });
    // One writer per backfill: the runner that started it (joined processes only help with chunks).
    if (!join && !done) live.write(progress);
  }

  try {
    const outcomes = await Promise.allSettled(Array.from({ length: workerCount }, (_, i) => runWorker(i)));
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    await throttle.close();
    await live.flush();
  }
  emitProgress(null, [], 0, sizers[0]!.current, true);
  if (join) return;
  if (chunked) await ctx.state.finishBackfill(pool, migration, step.id);
  await ctx.state.stepFinished(pool, migration, step.id, step.phase, 'done');
}

/**
 * One batch in its own transaction. `walBytes`: WAL written on the primary while it ran (its own,
 * and any other writer's); `walEnd`: the WAL insert position at its end (bytes from 0/0).
 */
async function runBatch(
  ctx: RunnerContext,
  session: pg.PoolClient,
  step: BackfillStep,
  range: WorkRange,
  cursor: string[] | null,
  size: number,
  statementTimeoutMs: number,
): Promise<{ hi: string[] | null; updated: number; walBytes: number; walEnd: number }> {
  const sql = batchSql(step, cursor !== null, range.ceiling !== null);
  return inTransaction(session, async (client) => {
    const setup = await client.query<{ wal: string }>(
      `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), set_config($3, 'on', true), pg_current_wal_insert_lsn()::text AS wal`,
      [`${ctx.settings.lockTimeoutMs}ms`, `${statementTimeoutMs}ms`, BACKFILL_SETTING],
    );
    const lower = cursor ?? [];
    const bound = await client.query<Record<string, string>>(sql.bound, [...lower, ...(range.ceiling ?? []), size - 1]);
    const hiRow = bound.rows[0];
    const hi = hiRow ? step.key.map((_, i) => hiRow[`k${i}`]!) : null;
    const upper = hi ?? range.ceiling;
    const update = await client.query(sql.update(upper !== null), [...lower, ...(upper ?? [])]);
    const updated = update.rowCount ?? 0;
    const owned = await range.record(client, {
      lastKey: hi ?? upper ?? cursor,
      updated,
      scanned: hi ? size : updated,
      batchSize: size,
      done: hi === null,
    });
    if (!owned) throw new LostClaim();
    const wal = await client.query<{ bytes: number; at: number }>(
      `SELECT pg_wal_lsn_diff(l, $1::pg_lsn)::float8 AS bytes, pg_wal_lsn_diff(l, '0/0')::float8 AS at FROM pg_current_wal_insert_lsn() l`,
      [setup.rows[0]!.wal],
    );
    return { hi, updated, walBytes: wal.rows[0]!.bytes, walEnd: wal.rows[0]!.at };
  });
}

/**
 * The rows the backfill will scan, behind its progress and ETA. The planner's estimate
 * (estimate_rel_size): reltuples per page as of the last ANALYZE, times the table's pages now, so a
 * table that grew since then is not under-counted (reltuples alone was: a table that doubled since
 * its last ANALYZE read 50% done at its end, and its ETA was half the time left). Never analyzed:
 * counted, within 5 s.
 */
async function estimateRows(pool: pg.Pool, table: QualifiedName): Promise<number | null> {
  const { rows } = await pool.query<{ tuples: number; relpages: number; pages: number }>(
    `SELECT reltuples::float8 AS tuples, relpages::float8 AS relpages, pg_relation_size(oid)::float8 / current_setting('block_size')::float8 AS pages
       FROM pg_class WHERE oid = to_regclass($1)`,
    [quoteQualified(table)],
  );
  const r = rows[0];
  // Partitioned parents have no pages of their own: their reltuples (from ANALYZE) as it is.
  if (r && r.tuples > 0)
    return Math.round(r.relpages > 0 && r.pages > 0 ? (r.tuples / r.relpages) * r.pages : r.tuples);
  const client = await pool.connect();
  try {
    await client.query(`SET statement_timeout = '5s'`);
    const counted = await client.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${quoteQualified(table)}`);
    return counted.rows[0]?.n ?? null;
  } catch {
    return null;
  } finally {
    client.release(true);
  }
}

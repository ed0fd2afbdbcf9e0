import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { BATCH_STATEMENT_TIMEOUT_FACTOR } from '../defaults.js';
import { displayName, quoteQualified, type QualifiedName } from '../db/quote.js';
import { errorMessage, InterruptedError, StepFailedError } from '../errors.js';
import type { BackfillStep } from '../plan/types.js';
import { summarize } from '../replication/gate.js';
import type { RunnerContext } from '../runner/context.js';
import { inTransaction } from '../runner/executor.js';
import { isRetryableLockError, sqlState } from '../runner/retry.js';
import { BACKFILL_SETTING } from '../operations/sync-trigger.js';
import { BatchSizer } from './sizer.js';
import { batchSql } from './sql.js';
import { RateMeter } from './rate.js';
import { assertWalSafety, createBackfillThrottle } from './gates.js';

/**
 * Runs one table's backfill to the end of the table: short keyset batches, each its own
 * transaction that also advances the cursor in zdm.backfills, so a runner killed at any point
 * resumes after the last committed batch and redoes at most the one in flight.
 */
export async function runBackfill(step: BackfillStep, migration: string, ctx: RunnerContext): Promise<void> {
  const pool = ctx.conn.pool;
  const { settings } = ctx;
  await ctx.state.stepStarted(pool, migration, step.id, step.phase);
  const existing = await ctx.state.backfill(pool, migration, step.id);
  const total = existing?.total_estimate ?? (await estimateRows(pool, step.table));
  let row = existing ?? (await ctx.state.startBackfill(pool, { migration, step_id: step.id, table_name: displayName(step.table), batch_size: settings.batchSize, total_estimate: total }));
  if (!row.done) {
    const sizer = new BatchSizer(existing ? row.batch_size : settings.batchSize, settings.targetBatchMs);
    await assertWalSafety(ctx, step, total === null ? null : Math.max(0, total - row.rows_scanned));
    let pausedAt: number | undefined;
    let lastControlRead = 0;
    let operatorPause: string | null = null;
    let sessionPid: number | undefined;
    const throttle = createBackfillThrottle(ctx, step, async () => {
      if (Date.now() - lastControlRead > 1000) {
        lastControlRead = Date.now();
        const m = await ctx.state.migration(pool, migration);
        operatorPause = m?.paused ? (m.pause_reason ?? '') : null;
        if (m?.control.batchSize && m.control.batchSize !== sizer.current) sizer.override(m.control.batchSize);
      }
      return operatorPause;
    }, { ownPids: () => (sessionPid === undefined ? [] : [sessionPid]) });
    const rate = new RateMeter();
    rate.start();
    let cursor = row.last_key;
    let scanned = row.rows_scanned;
    let updated = row.rows_updated;
    let batches = row.batches;
    let timeouts = 0;
    const statementTimeoutMs = Math.max(10_000, settings.targetBatchMs * BATCH_STATEMENT_TIMEOUT_FACTOR);
    // One session for every batch: batches set only transaction-local settings (SET LOCAL), so the
    // session stays clean, and a new connection per batch would cost more than a small batch.
    const session = await pool.connect().catch(async (err: unknown) => {
      await throttle.close();
      throw err;
    });
    try {
      sessionPid = (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      for (;;) {
        if (ctx.signal.aborted) throw new InterruptedError(`during the backfill of ${displayName(step.table)} (cursor saved after batch ${batches})`);
        const verdict = await throttle.check();
        if (!verdict.open) {
          pausedAt ??= Date.now();
          ctx.emit({ type: 'backfill-pause', migration, stepId: step.id, reason: verdict.reason, waitedMs: Date.now() - pausedAt });
          emitProgress(verdict.reason, summarize(verdict.readings), 0);
          await sleep(250, undefined, { signal: ctx.signal }).catch(() => undefined);
          continue;
        }
        if (pausedAt !== undefined) {
          ctx.log.info({ step: step.id, pausedMs: Date.now() - pausedAt }, 'backfill resumed');
          pausedAt = undefined;
        }
        const size = sizer.current;
        const started = performance.now();
        let result: { hi: string[] | null; updated: number };
        try {
          result = await runBatch(ctx, session, step, migration, cursor, size, statementTimeoutMs);
        } catch (err) {
          // A lock wait on a row the application holds, or a batch over its statement timeout:
          // halve the batch and try again (GitLab's split-and-retry); give up after lockRetries.
          if ((isRetryableLockError(err) || sqlState(err) === '57014') && ++timeouts <= settings.lockRetries && !ctx.signal.aborted) {
            ctx.log.warn({ step: step.id, batchSize: size, next: sizer.shrink(), error: errorMessage(err) }, 'backfill batch timed out; retrying with a smaller batch');
            continue;
          }
          const message = `batch after key ${cursor ? JSON.stringify(cursor) : '(start)'} of ${size} rows failed: ${errorMessage(err)}`;
          await ctx.state.stepFinished(pool, migration, step.id, step.phase, 'failed', message).catch(() => undefined);
          throw new StepFailedError(step.id, `${message}. The cursor is saved: fix the cause and run zdm advance, or zdm rollback`, { cause: err });
        }
        timeouts = 0;
        const ms = performance.now() - started;
        const done = result.hi === null;
        const covered = done ? result.updated : size;
        scanned += covered;
        updated += result.updated;
        batches += 1;
        cursor = result.hi ?? cursor;
        rate.add(covered);
        sizer.observe(size, ms);
        emitProgress(null, summarize(verdict.readings), ms, done);
        if (done) break;
        if (settings.maxRowsPerSecond) await sleep(Math.max(0, (covered / settings.maxRowsPerSecond) * 1000 - ms), undefined, { signal: ctx.signal }).catch(() => undefined);
      }
    } finally {
      session.release(true);
      await throttle.close();
    }

    function emitProgress(paused: string | null, lag: ReturnType<typeof summarize>, lastBatchMs: number, done = false) {
      const rowsPerSecond = rate.perSecond();
      const remaining = Math.max(0, (total ?? scanned) - scanned);
      ctx.emit({
        type: 'backfill-progress',
        migration,
        stepId: step.id,
        table: displayName(step.table),
        progress: {
          rowsScanned: scanned,
          rowsUpdated: updated,
          totalEstimate: Math.max(total ?? 0, scanned),
          batches,
          batchSize: sizer.current,
          rowsPerSecond,
          etaSeconds: done ? 0 : rowsPerSecond > 0 ? remaining / rowsPerSecond : null,
          lastBatchMs,
          lag,
          paused,
          done,
        },
      });
    }
    row = (await ctx.state.backfill(pool, migration, step.id))!;
  }
  await ctx.state.stepFinished(pool, migration, step.id, step.phase, 'done');
}

async function runBatch(ctx: RunnerContext, session: pg.PoolClient, step: BackfillStep, migration: string, cursor: string[] | null, size: number, statementTimeoutMs: number): Promise<{ hi: string[] | null; updated: number }> {
  const sql = batchSql(step, cursor !== null);
  return inTransaction(ctx, async (client) => {
    await client.query(`SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), set_config($3, 'on', true)`, [
      `${ctx.settings.lockTimeoutMs}ms`,
      `${statementTimeoutMs}ms`,
      BACKFILL_SETTING,
    ]);
    const lower = cursor ?? [];
    const bound = await client.query<Record<string, string>>(sql.bound, [...lower, size - 1]);
    const hiRow = bound.rows[0];
    const hi = hiRow ? step.key.map((_, i) => hiRow[`k${i}`]!) : null;
    const update = await client.query(sql.update(hi !== null), [...lower, ...(hi ?? [])]);
    const updated = update.rowCount ?? 0;
    await ctx.state.recordBatch(client, migration, step.id, { lastKey: hi ?? cursor, updated, scanned: hi ? size : updated, batchSize: size, done: hi === null });
    return { hi, updated };
  }, session);
}

/** Rows in the table from statistics; counted when the table was never analyzed (bounded by a timeout). */
async function estimateRows(pool: pg.Pool, table: QualifiedName): Promise<number | null> {
  const { rows } = await pool.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = to_regclass($1)`, [quoteQualified(table)]);
  const n = rows[0]?.n ?? -1;
  if (n > 0) return Math.round(n);
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

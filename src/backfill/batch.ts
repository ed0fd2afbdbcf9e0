import type pg from 'pg';
import { quoteLiteral } from '../db/quote.js';
import type { RunnerContext } from '../exec/context.js';
import { rollingBack } from '../exec/transaction.js';
import { BACKFILL_SETTING, batchSql } from '../plan/backfill-sql.js';
import type { BackfillStep } from '../plan/types.js';
import type { WorkRange } from './work-source.js';

/** The batch's range was claimed by another worker meanwhile: its transaction rolled back. */
export class LostClaim extends Error {}

export interface BatchResult {
  /** The key the batch ended at; null = it reached the end of its range. */
  hi: string[] | null;
  updated: number;
  /** WAL written on the primary while it ran (its own, and any other writer's). */
  walBytes: number;
  /** The WAL insert position at its end (bytes from 0/0). */
  walEnd: number;
}

/**
 * One batch in its own transaction on the worker's session: the rows in (cursor, cursor + size]
 * of the range are updated, and the range's progress is recorded in the same transaction, with
 * lock_timeout, a statement timeout and the setting that the dual-write trigger skips.
 *
 * The commit does not wait for its WAL flush (synchronous_commit = off for the batch alone): a
 * server crash can lose the last batches, but each with its own cursor, so the backfill resumes
 * before them and redoes them; the step's end is recorded with a flushed commit, which flushes
 * every batch before it. Measured replaying the partitioned bench's batches (3,000 rows, load 9):
 * the commits took 1.06 s of 12.7 s waiting for their flush, 0.21 s without.
 *
 * Four round trips: BEGIN with the settings and the bound query, the UPDATE, the progress row,
 * then the WAL reading with COMMIT. The first and last send several statements in one message
 * (the simple protocol, so their values are literals; the settings apply from the statement after
 * theirs, so the bound query runs under them): under CPU contention every round trip waits for
 * the runner and the server to be scheduled, and the batch sizer holds the whole batch to its
 * target duration, so each round trip saved goes to rows (bench:partitioned in BENCHMARKS.md).
 */
export async function runBatch(
  ctx: RunnerContext,
  session: pg.PoolClient,
  step: BackfillStep,
  range: WorkRange,
  cursor: string[] | null,
  size: number,
  statementTimeoutMs: number,
): Promise<BatchResult> {
  const sql = batchSql(step, cursor !== null, range.ceiling !== null, range.table);
  const setting = (name: string, value: string) => `set_config(${quoteLiteral(name)}, ${quoteLiteral(value)}, true)`;
  return rollingBack(session, async () => {
    const [, opened, bound] = results(
      await session.query(
        `BEGIN; SELECT ${setting('lock_timeout', `${ctx.settings.lockTimeoutMs}ms`)}, ` +
          `${setting('statement_timeout', `${statementTimeoutMs}ms`)}, ${setting(BACKFILL_SETTING, 'on')}, ` +
          `${setting('synchronous_commit', 'off')}, pg_current_wal_insert_lsn()::text AS wal; ` +
          sql.boundLiteral(cursor, range.ceiling, size),
      ),
    );
    const hiRow = bound!.rows[0] as Record<string, string> | undefined;
    const hi = hiRow ? Array.from({ length: sql.width }, (_, i) => hiRow[`k${i}`]!) : null;
    const upper = hi ?? range.ceiling;
    const update = await session.query(sql.update(upper !== null), sql.updateParams(cursor, upper));
    const updated = update.rowCount ?? 0;
    const owned = await range.record(session, {
      lastKey: hi ?? upper ?? cursor,
      updated,
      scanned: hi ? size : updated,
      batchSize: size,
      done: hi === null,
    });
    if (!owned) throw new LostClaim();
    await ctx.observer?.beforeCommit(step, session);
    const [ended] = results(
      await session.query(
        `SELECT pg_wal_lsn_diff(l, ${quoteLiteral(String(opened!.rows[0].wal))}::pg_lsn)::float8 AS bytes, ` +
          `pg_wal_lsn_diff(l, '0/0')::float8 AS at FROM pg_current_wal_insert_lsn() l; COMMIT`,
      ),
    );
    const wal = ended!.rows[0] as { bytes: number; at: number };
    return { hi, updated, walBytes: wal.bytes, walEnd: wal.at };
  });
}

/** The results of a message of several statements (the simple protocol answers with one each). */
function results(answer: pg.QueryResult | pg.QueryResult[]): pg.QueryResult[] {
  return Array.isArray(answer) ? answer : [answer];
}

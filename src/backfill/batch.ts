import type pg from 'pg';
import type { RunnerContext } from '../exec/context.js';
import { inTransaction } from '../exec/transaction.js';
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
  return inTransaction(session, async (client) => {
    const setup = await client.query<{ wal: string }>(
      `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true), ` +
        `set_config($3, 'on', true), pg_current_wal_insert_lsn()::text AS wal`,
      [`${ctx.settings.lockTimeoutMs}ms`, `${statementTimeoutMs}ms`, BACKFILL_SETTING],
    );
    const bound = await client.query<Record<string, string>>(sql.bound, sql.boundParams(cursor, range.ceiling, size));
    const hiRow = bound.rows[0];
    const hi = hiRow ? Array.from({ length: sql.width }, (_, i) => hiRow[`k${i}`]!) : null;
    const upper = hi ?? range.ceiling;
    const update = await client.query(sql.update(upper !== null), sql.updateParams(cursor, upper));
    const updated = update.rowCount ?? 0;
    const owned = await range.record(client, {
      lastKey: hi ?? upper ?? cursor,
      updated,
      scanned: hi ? size : updated,
      batchSize: size,
      done: hi === null,
    });
    if (!owned) throw new LostClaim();
    await ctx.observer?.beforeCommit(step, client);
    const wal = await client.query<{ bytes: number; at: number }>(
      `SELECT pg_wal_lsn_diff(l, $1::pg_lsn)::float8 AS bytes, pg_wal_lsn_diff(l, '0/0')::float8 AS ` +
        `at FROM pg_current_wal_insert_lsn() l`,
      [setup.rows[0]!.wal],
    );
    return { hi, updated, walBytes: wal.rows[0]!.bytes, walEnd: wal.rows[0]!.at };
  });
}

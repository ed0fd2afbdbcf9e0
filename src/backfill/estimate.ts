import type pg from 'pg';
import { quoteQualified, type QualifiedName } from '../db/quote.js';
import { withClient } from '../exec/transaction.js';

/**
 * The rows the backfill will scan, behind its progress and ETA. The planner's estimate
 * (estimate_rel_size): reltuples per page as of the last ANALYZE, times the table's pages now, so a
 * table that grew since then is not under-counted (reltuples alone was: a table that doubled since
 * its last ANALYZE read 50% done at its end, and its ETA was half the time left). Never analyzed:
 * counted, within 5 s.
 */
export async function estimateRows(pool: pg.Pool, table: QualifiedName): Promise<number | null> {
  const { rows } = await pool.query<{ tuples: number; relpages: number; pages: number }>(
    `SELECT reltuples::float8 AS tuples, relpages::float8 AS relpages, pg_relation_size(oid)::float8 / current_setting('block_size')::float8 AS pages
       FROM pg_class WHERE oid = to_regclass($1)`,
    [quoteQualified(table)],
  );
  const r = rows[0];
  // Partitioned parents have no pages of their own: their reltuples (from ANALYZE) as it is.
  if (r && r.tuples > 0)
    return Math.round(r.relpages > 0 && r.pages > 0 ? (r.tuples / r.relpages) * r.pages : r.tuples);
  return withClient(pool, async (client) => {
    try {
      await client.query(`SET statement_timeout = '5s'`);
      const counted = await client.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${quoteQualified(table)}`);
      return counted.rows[0]?.n ?? null;
    } catch {
      return null;
    }
  });
}

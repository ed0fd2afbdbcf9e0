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
  // A partitioned table: the sum of its leaf partitions' estimates (each grown or shrunk since its
  // own ANALYZE); any leaf with pages never analyzed makes the whole a count.
  const { rows } = await pool.query<{ rows: number | null; known: boolean }>(
    `SELECT sum(CASE WHEN c.relpages > 0 AND p.pages > 0 THEN c.reltuples / c.relpages * p.pages ELSE greatest(c.reltuples, 0) END)::float8 AS rows,
            coalesce(bool_and(c.reltuples > 0 OR p.pages = 0), false) AS known
       FROM pg_class t
       CROSS JOIN LATERAL (SELECT t.oid AS relid WHERE t.relkind <> 'p'
                           UNION ALL SELECT relid FROM pg_partition_tree(t.oid) WHERE t.relkind = 'p' AND isleaf AND level > 0) l
       JOIN pg_class c ON c.oid = l.relid
       CROSS JOIN LATERAL (SELECT pg_relation_size(c.oid)::float8 / current_setting('block_size')::float8 AS pages) p
      WHERE t.oid = to_regclass($1)`,
    [quoteQualified(table)],
  );
  const r = rows[0];
  if (r && r.known && r.rows !== null && r.rows > 0) return Math.round(r.rows);
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

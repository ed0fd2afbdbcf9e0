import type pg from 'pg';
import type { QualifiedName } from '../db/quote.js';
import { LOCK_MODES, type LockMode } from '../plan/types.js';

/** One relation as the trace sees it before and after a step. */
export interface RelationState {
  oid: number;
  name: QualifiedName;
  relkind: string;
  relfilenode: number;
  /** pg_stat_user_tables.seq_scan (0 for relations without it). */
  seqScans: number;
}

/** Every user relation (not the catalogs, not zdm's state schema), by oid. */
export async function relationStates(pool: pg.Pool, stateSchema: string): Promise<Map<number, RelationState>> {
  await pool.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await pool.query<{
    oid: number;
    schema: string;
    name: string;
    relkind: string;
    relfilenode: number;
    seq_scan: string;
  }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
            c.relfilenode::int AS relfilenode, coalesce(pg_stat_get_numscans(c.oid), 0)::int8 AS seq_scan
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', $1)
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`,
    [stateSchema],
  );
  return new Map(
    rows.map((r) => [
      r.oid,
      {
        oid: r.oid,
        name: { schema: r.schema, name: r.name },
        relkind: r.relkind,
        relfilenode: r.relfilenode,
        seqScans: Number(r.seq_scan),
      },
    ]),
  );
}

/** pg_locks' mode names (AccessExclusiveLock) as the plan writes them (ACCESS EXCLUSIVE). */
export function lockModeOf(pgMode: string): LockMode | undefined {
  const words = pgMode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
  return (LOCK_MODES as readonly string[]).includes(words) ? (words as LockMode) : undefined;
}

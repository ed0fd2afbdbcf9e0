import type pg from 'pg';
import type { ColumnDependent, DependentView } from './catalog-model.js';

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** A row of DEPENDENTS_SQL (catalog-tables.ts): a dependent, its table and, for a view, the view's oid. */
export type DependentRow = ColumnDependent & { table_oid: number; view_oid: number | null };

/** The dependents with each view's definition attached (`view`), for renameColumn to recreate it. */
export async function withViews(
  client: Queryable,
  rows: DependentRow[],
): Promise<(ColumnDependent & { table_oid: number })[]> {
  const views = await readViews(client, [...new Set(rows.flatMap((r) => (r.view_oid ? [r.view_oid] : [])))]);
  return rows.map(({ view_oid, ...r }) => (view_oid && views.has(view_oid) ? { ...r, view: views.get(view_oid)! } : r));
}

/**
 * Definitions of views, read with search_path = pg_catalog (SET LOCAL in the statements' own implicit
 * transaction), so pg_get_viewdef qualifies every table, type and function outside pg_catalog and the
 * text means the same whatever search_path the executor later runs it with. readCatalog is given the
 * pool (no transaction block is open), so the setting ends with the statement.
 */
async function readViews(client: Queryable, oids: number[]): Promise<Map<number, DependentView>> {
  if (oids.length === 0) return new Map();
  const list = oids.map((o) => String(Math.trunc(o))).join(',');
  const results = (await client.query(
    `SET LOCAL search_path = pg_catalog;
     SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
            pg_get_viewdef(c.oid) AS definition, COALESCE(c.reloptions, '{}')::text[] AS options,
            ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                     AND NOT a.attisdropped ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid IN (${list})`,
  )) as unknown as pg.QueryResult<DependentView & { oid: number }>[];
  const rows = results[results.length - 1]!.rows;
  return new Map(rows.map(({ oid, ...v }) => [oid, v]));
}

import type pg from 'pg';

export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** Something outside the table's own indexes and constraints that depends on a column. */
export interface ColumnDependent {
  column: string;
  kind:
    'view' | 'rule' | 'trigger' | 'policy' | 'generated column' | 'statistics' | 'function' | 'publication' | 'other';
  /**
   * view: `schema.name`; function: `schema.name(identity arguments)`; publication: its name;
   * other: pg_describe_object's text; trigger, policy, statistics, generated column: the bare name.
   */
  name: string;
  /** For a view or materialized view: what recreating it on a renamed column needs. */
  view?: DependentView;
}

/** A view or materialized view that uses a column of the table. */
export interface DependentView {
  schema: string;
  name: string;
  /** 'v' view, 'm' materialized view. */
  relkind: 'v' | 'm';
  /** pg_get_viewdef read with search_path = pg_catalog, so every name in it is schema-qualified. */
  definition: string;
  /** The view's output column names, in order. */
  columns: string[];
  /** pg_class.reloptions: `security_barrier=true`, `check_option=cascaded`, `security_invoker=true`. */
  options: string[];
}

/**
 * Objects that depend on a column other than the table's own indexes and constraints and foreign
 * keys of other tables (referencedBy): views and rules (pg_rewrite), triggers, policies, generated
 * columns, SQL-standard (BEGIN ATOMIC) function bodies (pg_proc, PG14+) and publication column
 * lists and row filters (pg_publication_rel, PG15+). Every other normal dependency is read too, as
 * `other` named by pg_describe_object, so that no dependent Postgres would refuse a DROP COLUMN for
 * first surfaces at contract. Views carry their definition (`view`), for renameColumn to recreate them.
 */
export async function readDependents(
  client: Queryable,
  oids: number[],
): Promise<(ColumnDependent & { table_oid: number })[]> {
  const { rows } = await client.query<ColumnDependent & { table_oid: number; view_oid: number | null }>(
    `SELECT DISTINCT d.refobjid::int AS table_oid, a.attname AS column,
            CASE d.classid
              WHEN 'pg_rewrite'::regclass THEN CASE WHEN r.ev_class <> d.refobjid AND vc.relkind IN ('v', 'm') THEN 'view' ELSE 'rule' END
              WHEN 'pg_trigger'::regclass THEN 'trigger'
              WHEN 'pg_policy'::regclass THEN 'policy'
              WHEN 'pg_attrdef'::regclass THEN 'generated column'
              WHEN 'pg_statistic_ext'::regclass THEN 'statistics'
              WHEN 'pg_proc'::regclass THEN 'function'
              WHEN 'pg_publication_rel'::regclass THEN 'publication'
              ELSE 'other' END AS kind,
            COALESCE(vn.nspname || '.' || vc.relname, tg.tgname, pol.polname, se.stxname, ad_a.attname,
                     pn.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                     pub.pubname, pg_describe_object(d.classid, d.objid, d.objsubid)) AS name,
            CASE WHEN r.ev_class <> d.refobjid AND vc.relkind IN ('v', 'm') THEN vc.oid::int END AS view_oid
       FROM pg_depend d
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       LEFT JOIN pg_rewrite r ON d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
       LEFT JOIN pg_class vc ON vc.oid = r.ev_class
       LEFT JOIN pg_namespace vn ON vn.oid = vc.relnamespace
       LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
       LEFT JOIN pg_policy pol ON d.classid = 'pg_policy'::regclass AND pol.oid = d.objid
       LEFT JOIN pg_statistic_ext se ON d.classid = 'pg_statistic_ext'::regclass AND se.oid = d.objid
       LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
       LEFT JOIN pg_attribute ad_a ON ad_a.attrelid = ad.adrelid AND ad_a.attnum = ad.adnum
       LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
       LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
       LEFT JOIN pg_publication_rel pr ON d.classid = 'pg_publication_rel'::regclass AND pr.oid = d.objid
       LEFT JOIN pg_publication pub ON pub.oid = pr.prpubid
      WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ANY($1::oid[]) AND d.refobjsubid > 0
        AND d.deptype = 'n'
        -- foreign keys of other tables are read as referencedBy
        AND d.classid <> 'pg_constraint'::regclass
        AND NOT (d.classid = 'pg_attrdef'::regclass AND ad_a.attnum = a.attnum)
      ORDER BY 1, 2, 3, 4`,
    [oids],
  );
  const views = await readViews(client, [...new Set(rows.flatMap((r) => (r.view_oid ? [r.view_oid] : [])))]);
  return rows.map(({ view_oid, ...r }) => (view_oid && views.has(view_oid) ? { ...r, view: views.get(view_oid)! } : r));
}

/**
 * Definitions of views, read with search_path = pg_catalog (SET LOCAL in the statement's own implicit
 * transaction), so pg_get_viewdef qualifies every table, type and function outside pg_catalog and the
 * text means the same whatever search_path the executor later runs it with.
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

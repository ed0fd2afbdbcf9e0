import type pg from 'pg';

/**
 * Everything about a table that a migration could change, as comparable text: columns (name,
 * type, nullability, default, collation), indexes, constraints, triggers, and zdm functions in
 * the schema. Used to assert that rollback leaves the table exactly as it was.
 */
export interface TableSnapshot {
  columns: string[];
  indexes: string[];
  constraints: string[];
  triggers: string[];
  functions: string[];
  /** Sequences the table's columns own (serial, identity): name, type, options, owner column, identity kind. */
  sequences: string[];
  /** What the name is: `r` table, `v` view, ... (empty when nothing has the name). */
  relation: string[];
  /** COMMENT ON the table (`table: ...`) and its columns (`<column>: ...`). */
  comments: string[];
  /** Replica identity (`replica identity d|n|f|i <index>`) and storage parameters (reloptions). */
  options: string[];
}

export async function tableSnapshot(pool: pg.Pool, table: string): Promise<TableSnapshot> {
  const q = async (sql: string) => (await pool.query<{ v: string }>(sql, [table])).rows.map((r) => r.v);
  return {
    columns:
      await q(`SELECT attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' not null' ELSE '' END
                             || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') || ' collation ' || attcollation::text AS v
                        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                       WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`),
    indexes: await q(
      `SELECT pg_get_indexdef(indexrelid) || CASE WHEN indisvalid THEN '' ELSE ' INVALID' END AS v FROM pg_index WHERE indrelid = to_regclass($1) ORDER BY 1`,
    ),
    constraints: await q(
      `SELECT conname || ' ' || pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END AS v FROM pg_constraint WHERE conrelid = to_regclass($1) ORDER BY 1`,
    ),
    triggers: await q(
      `SELECT tgname AS v FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal ORDER BY 1`,
    ),
    functions: await q(`SELECT p.proname AS v FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'zdm') AND p.proname LIKE 'zdm%' AND $1::text IS NOT NULL ORDER BY 1`),
    sequences:
      await q(`SELECT s.relname || ' ' || format_type(ps.seqtypid, NULL) || ' start ' || ps.seqstart || ' increment ' || ps.seqincrement
                               || ' min ' || ps.seqmin || ' max ' || ps.seqmax || ' cache ' || ps.seqcache || CASE WHEN ps.seqcycle THEN ' cycle' ELSE '' END
                               || ' owned by ' || a.attname || CASE a.attidentity WHEN 'a' THEN ' (identity always)' WHEN 'd' THEN ' (identity by default)' ELSE '' END AS v
                          FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_sequence ps ON ps.seqrelid = s.oid
                          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = to_regclass($1) AND d.deptype IN ('a', 'i') ORDER BY 1`),
    relation: await q(`SELECT relkind::text AS v FROM pg_class WHERE oid = to_regclass($1)`),
    comments: await q(`SELECT coalesce(a.attname, 'table') || ': ' || d.description AS v FROM pg_description d
                          LEFT JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid AND d.objsubid > 0
                         WHERE d.classoid = 'pg_class'::regclass AND d.objoid = to_regclass($1) ORDER BY d.objsubid`),
    options: await q(`SELECT 'replica identity ' || c.relreplident::text
                             || coalesce(' ' || (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                                                  WHERE i.indrelid = c.oid AND i.indisreplident), '') AS v
                        FROM pg_class c WHERE c.oid = to_regclass($1)
                      UNION ALL SELECT unnest(reloptions) FROM pg_class WHERE oid = to_regclass($1)`),
  };
}

/** Constraints without Postgres 18's NOT NULL entries (`t_c_not_null NOT NULL c`): the same list on every major. */
export function withoutNotNull(constraints: string[]): string[] {
  return constraints.filter((c) => !/ NOT NULL \S+$/.test(c));
}

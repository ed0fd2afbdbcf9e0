import type pg from 'pg';

type Queryable = pg.ClientBase;

/**
 * What the partitions of the touched tables carry beyond what CREATE TABLE ... PARTITION OF gives
 * them, so the rehearsal plans and runs against the same tree as the target: a partition's own
 * indexes (by their names, attached to the parent's index as on the target), its own NOT NULL,
 * defaults and comments. (A partition's own constraints, triggers, policies, statistics, rules,
 * grants, views and publications are read with the tables', objects.ts over `treeOids`.)
 */

/** The tables and every partition below them (tables and partitioned tables; foreign tables are not recreated). */
export async function treeOids(client: Queryable, roots: number[]): Promise<number[]> {
  const { rows } = await client.query<{ oid: number }>(
    `SELECT DISTINCT t.relid::int AS oid FROM unnest($1::oid[]) AS r(oid) CROSS JOIN LATERAL pg_partition_tree(r.oid) t
       JOIN pg_class c ON c.oid = t.relid WHERE c.relkind IN ('r', 'p') ORDER BY 1`,
    [roots],
  );
  return [...new Set([...roots, ...rows.map((r) => r.oid)])];
}

interface IndexRow {
  sql: string;
  valid: boolean;
  name: string;
  partitioned: boolean;
  head: string;
  parent: string | null;
  depth: number;
}

/**
 * Valid indexes that no constraint owns, on the tables and their partitions, as pg_get_indexdef
 * prints them, then attached to their parent's index as on the target. A partitioned index is
 * created ON ONLY its table (pg_get_indexdef omits ONLY for one that is itself attached, and
 * without it Postgres would build the partitions' indexes under names of its own): each
 * partition's index is created by its own name, then attached, deepest first, which makes the
 * parent's valid. An invalid index (a failed concurrent build's leftover, or a partitioned index
 * missing a partition's) is not recreated, nor attached: a note names it.
 */
export async function indexesSql(client: Queryable, oids: number[]): Promise<{ sql: string[]; invalid: string[] }> {
  const { rows } = await client.query<IndexRow>(
    `SELECT pg_get_indexdef(i.indexrelid) AS sql, i.indisvalid AS valid, i.indexrelid::regclass::text AS name,
            ic.relkind = 'I' AS partitioned, inh.inhparent::regclass::text AS parent,
            'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || quote_ident(ic.relname) || ' ON ' AS head,
            (SELECT count(*) FROM pg_partition_ancestors(i.indrelid))::int AS depth
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_inherits inh ON inh.inhrelid = i.indexrelid
      WHERE i.indrelid = ANY($1::oid[])
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
      ORDER BY i.indexrelid`,
    [oids],
  );
  const valid = rows.filter((r) => r.valid);
  const created = new Set(valid.map((r) => r.name));
  const attach = valid
    .filter((r) => r.parent !== null && created.has(r.parent))
    .sort((a, b) => b.depth - a.depth)
    .map((r) => `ALTER INDEX ${r.parent} ATTACH PARTITION ${r.name}`);
  return {
    sql: [...valid.map(onlyIfPartitioned), ...attach],
    invalid: rows.filter((r) => !r.valid).map((r) => r.name),
  };
}

function onlyIfPartitioned(r: IndexRow): string {
  if (!r.partitioned || !r.sql.startsWith(r.head) || r.sql.startsWith(`${r.head}ONLY `)) return r.sql;
  return `${r.head}ONLY ${r.sql.slice(r.head.length)}`;
}

/**
 * A partition's own NOT NULL (its parent's column allows NULL), its own default (other than the
 * parent's, which PARTITION OF copies), in tree order; comments on partitions and their columns.
 */
export async function partitionColumnsSql(client: Queryable, roots: number[]): Promise<string[]> {
  const { rows } = await client.query<{ sql: string }>(
    `WITH part AS (
       SELECT t.relid, t.parentrelid, t.level FROM unnest($1::oid[]) AS r(oid) CROSS JOIN LATERAL pg_partition_tree(r.oid) t
        JOIN pg_class c ON c.oid = t.relid WHERE t.level > 0 AND c.relkind IN ('r', 'p')),
     cols AS (
       SELECT p.relid, p.level, a.attnum, a.attname, a.attnotnull AS nn, pa.attnotnull AS parent_nn,
              pg_get_expr(d.adbin, d.adrelid) AS def, pg_get_expr(pd.adbin, pd.adrelid) AS parent_def
         FROM part p JOIN pg_attribute a ON a.attrelid = p.relid AND a.attnum > 0 AND NOT a.attisdropped
         JOIN pg_attribute pa ON pa.attrelid = p.parentrelid AND pa.attname = a.attname
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         LEFT JOIN pg_attrdef pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
        WHERE a.attgenerated = '')
     SELECT sql FROM (
       SELECT 1 AS k, level, relid, attnum, 'ALTER TABLE ' || relid::regclass::text || ' ALTER COLUMN ' || quote_ident(attname) || ' SET NOT NULL' AS sql
         FROM cols WHERE nn AND NOT parent_nn
       UNION ALL
       SELECT 2, level, relid, attnum, 'ALTER TABLE ONLY ' || relid::regclass::text || ' ALTER COLUMN ' || quote_ident(attname) ||
              coalesce(' SET DEFAULT ' || def, ' DROP DEFAULT')
         FROM cols WHERE def IS DISTINCT FROM parent_def
       UNION ALL
       SELECT 3, level, relid, 0, 'COMMENT ON TABLE ' || relid::regclass::text || ' IS ' || quote_literal(obj_description(relid, 'pg_class'))
         FROM part WHERE obj_description(relid, 'pg_class') IS NOT NULL
       UNION ALL
       SELECT 3, level, relid, attnum, 'COMMENT ON COLUMN ' || relid::regclass::text || '.' || quote_ident(attname) || ' IS ' ||
              quote_literal(col_description(relid, attnum))
         FROM cols WHERE col_description(relid, attnum) IS NOT NULL) s
     ORDER BY k, level, relid, attnum`,
    [roots],
  );
  return rows.map((r) => r.sql);
}

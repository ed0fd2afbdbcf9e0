import type pg from 'pg';
import type { QualifiedName } from './quote.js';

/**
 * The partition tree of a partitioned table (relkind 'p'), read with the table so that planning
 * can emit one step per partition without reading the catalog itself.
 */
export interface Partitioning {
  /** Partition key of the table, in key order: a column name, or null for an expression. */
  key: (string | null)[];
  /** Every partition below the table, parents before their children (pg_partition_tree order by level). */
  partitions: PartitionInfo[];
}

export interface PartitionInfo extends QualifiedName {
  /** The table this one is a partition of (the root or an intermediate partitioned table). */
  parent: QualifiedName;
  /** 'r' a leaf table, 'p' a sub-partitioned table, 'f' a foreign table. */
  relkind: string;
  /** 1 for a direct partition of the root, 2 below a sub-partitioned one, ... */
  level: number;
  /** The partition key of a sub-partitioned table ('p'); empty for a leaf. */
  key: (string | null)[];
  estimatedRows: number;
  sizeBytes: number;
}

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/**
 * Each table of $1 with itself and, for a partitioned table, every partition below it (sub-partitions
 * too): an object on a partition's column is dropped with that column as surely as one on the table's,
 * so the dependents, statistics and column privileges and comments of the partitions are read with
 * the table (`on` names the partition). Prefixed to the queries that read them.
 */
export const RELATIONS = `WITH rels(root, rel) AS (
       SELECT r.oid, r.oid FROM unnest($1::oid[]) r(oid)
       UNION
       SELECT r.oid, t.relid FROM unnest($1::oid[]) r(oid), pg_partition_tree(r.oid) t WHERE t.level > 0)`;

/** Partitioning of each partitioned table among `oids` (plain tables are absent from the map). */
export async function readPartitioning(client: Queryable, oids: number[]): Promise<Map<number, Partitioning>> {
  const out = new Map<number, Partitioning>();
  if (oids.length === 0) return out;
  const keys = await client.query<{ oid: number; key: (string | null)[] }>(
    `SELECT pt.partrelid::int AS oid,
            ARRAY(SELECT a.attname::text FROM unnest(pt.partattrs::int2[]) WITH ORDINALITY k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = k.attnum ORDER BY k.ord) AS key
       FROM pg_partitioned_table pt
      WHERE pt.partrelid = ANY($1::oid[])
         OR pt.partrelid IN (SELECT t.relid FROM unnest($1::oid[]) r(oid), pg_partition_tree(r.oid) t)`,
    [oids],
  );
  const keyOf = new Map(keys.rows.map((r) => [Number(r.oid), r.key]));
  const tree = await client.query<{
    root: number;
    oid: number;
    schema: string;
    name: string;
    parent_schema: string;
    parent_name: string;
    relkind: string;
    level: number;
    reltuples: number;
    size: string;
  }>(
    `SELECT r.oid::int AS root, c.oid::int AS oid, n.nspname AS schema, c.relname AS name,
            pn.nspname AS parent_schema, pc.relname AS parent_name, c.relkind::text AS relkind, t.level,
            GREATEST(c.reltuples, 0)::float8 AS reltuples, pg_table_size(c.oid) AS size
       FROM unnest($1::oid[]) r(oid)
       CROSS JOIN LATERAL pg_partition_tree(r.oid) t
       JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_class pc ON pc.oid = t.parentrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
      WHERE t.level > 0
      ORDER BY r.oid, t.level, n.nspname, c.relname`,
    [oids],
  );
  for (const oid of oids) {
    const key = keyOf.get(oid);
    if (key === undefined) continue;
    const partitions = tree.rows
      .filter((row) => Number(row.root) === oid)
      .map((row) => ({
        schema: row.schema,
        name: row.name,
        parent: { schema: row.parent_schema, name: row.parent_name },
        relkind: row.relkind,
        level: Number(row.level),
        key: keyOf.get(Number(row.oid)) ?? [],
        estimatedRows: Math.round(row.reltuples),
        sizeBytes: Number(row.size),
      }));
    out.set(oid, { key, partitions });
  }
  return out;
}

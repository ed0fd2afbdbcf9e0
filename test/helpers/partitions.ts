import type { TestDatabase } from '../harness/database.js';

/** Every index (with validity and parent) and constraint (with validation) on each table of a partition tree, as text. */
export async function treeSnapshot(db: TestDatabase, root: string): Promise<string[]> {
  const rows = await db.query<{ v: string }>(
    `SELECT t.relid::regclass::text || ' index ' || pg_get_indexdef(i.indexrelid)
            || CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END
            || coalesce(' attached to ' || (SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = i.indexrelid), '') AS v
       FROM pg_partition_tree($1::regclass) t JOIN pg_index i ON i.indrelid = t.relid
     UNION ALL
     SELECT t.relid::regclass::text || ' constraint ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
            || CASE WHEN c.convalidated THEN '' ELSE ' NOT VALID' END || CASE WHEN c.conparentid <> 0 THEN ' inherited' ELSE '' END
       FROM pg_partition_tree($1::regclass) t JOIN pg_constraint c ON c.conrelid = t.relid`,
    [root],
  );
  return rows.map((r) => r.v).sort();
}

/** Leaf partitions of `root` without a valid index attached (directly or through a sub-partitioned parent) to `index`. */
export async function partitionsWithoutIndex(db: TestDatabase, root: string, index: string): Promise<string[]> {
  const rows = await db.query<{ v: string }>(
    `SELECT p.relid::regclass::text AS v FROM pg_partition_tree($1::regclass) p
      WHERE p.isleaf AND NOT EXISTS (SELECT 1 FROM pg_partition_tree($2::regclass) x JOIN pg_index i ON i.indexrelid = x.relid
                                      WHERE i.indrelid = p.relid AND i.indisvalid)
`,
    [root, index],
  );
  return rows.map((r) => r.v).sort();
}

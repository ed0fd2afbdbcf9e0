import type { TableInfo } from '../../db/catalog.js';

/**
 * How a backfill finds its way through a table's rows: in keyset order on the primary key, else
 * on a unique index whose key columns are all NOT NULL (the same walk: a unique, never-NULL key
 * orders every row exactly once), else by physical position (ctid ranges).
 */
export type RowWalk =
  | { kind: 'primary-key'; columns: string[] }
  | { kind: 'unique-index'; index: string; columns: string[] }
  | { kind: 'ctid' };

export function rowWalk(table: TableInfo): RowWalk {
  if (table.primaryKey) return { kind: 'primary-key', columns: table.primaryKey.columns };
  const unique = uniqueNotNullKey(table);
  return unique ? { kind: 'unique-index', index: unique.name, columns: unique.keyColumns } : { kind: 'ctid' };
}

/** The columns that identify a row for people reading a sample: the walk's key, else its physical position. */
export function rowKeyColumns(table: TableInfo): string[] {
  const walk = rowWalk(table);
  return walk.kind === 'ctid' ? ['ctid'] : walk.columns;
}

/** The narrowest valid unique index on NOT NULL plain columns; a constraint's index before a bare one. */
function uniqueNotNullKey(table: TableInfo): { name: string; keyColumns: string[] } | undefined {
  const notNull = new Set(table.columns.filter((c) => c.notNull).map((c) => c.name));
  const candidates = table.indexes.flatMap((ix) =>
    ix.unique && ix.valid && ix.keyColumns?.length && ix.keyColumns.every((c) => notNull.has(c))
      ? [{ name: ix.name, keyColumns: ix.keyColumns, constraint: ix.constraint !== null }]
      : [],
  );
  candidates.sort(
    (a, b) =>
      a.keyColumns.length - b.keyColumns.length ||
      Number(b.constraint) - Number(a.constraint) ||
      a.name.localeCompare(b.name),
  );
  return candidates[0];
}

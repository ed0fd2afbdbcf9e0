import type { TableDependent, TableInfo } from '../../db/catalog.js';
import { displayName } from '../../db/quote.js';

/**
 * Columns of other tables (or composite types) whose type is `table`'s row type or an array of it,
 * from the table's whole-table dependents: their values are rows of the table, stored with each
 * value at its column's position. Verified on PG 15 and 18:
 * - Postgres refuses an ALTER TABLE of the table that converts or fills a column: ALTER COLUMN
 *   TYPE (even varchar(10) -> text, which rewrites nothing) and ADD COLUMN with any default ("cannot
 *   alter table "orders" because column "archive.x" uses its row type"); ADD COLUMN without a
 *   default, SET DEFAULT, RENAME COLUMN, DROP COLUMN, SET NOT NULL and constraints pass;
 * - a copy column that takes over a column's name (changeColumnType's shadow column, renameColumn's
 *   copy) is a new position: once contract drops the original, every stored row reads NULL there.
 */
export function rowTypeColumns(table: TableInfo): TableDependent[] {
  // A view's (or foreign table's) column of the row type stores no rows: Postgres does not check it
  // (find_composite_type_dependencies), and its values follow the row type like any whole-row reader's.
  return (table.tableDependents ?? []).filter(
    (d) => d.kind === 'other' && d.column !== null && d.description.startsWith('column ') && d.storesRows,
  );
}

/** `the row type of public.orders is the type of column x of table public.archive`, or undefined. */
export function rowTypeUse(table: TableInfo): string | undefined {
  const users = rowTypeColumns(table);
  if (users.length === 0) return undefined;
  return `the row type of ${displayName(table)} is the type of ${users.map((d) => d.description).join(', ')}`;
}

import type { ColumnDependent, TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent } from '../../db/quote.js';

/** Why each kind of dependent blocks a change of the column, for refusals that name it. */
const WHY: Partial<Record<ColumnDependent['kind'], string>> = {
  publication: ' (its column list or row filter names the column)',
  function: ' (a SQL-standard BEGIN ATOMIC body)',
};

/** Why a partition's own index or constraint blocks a change of the partitioned table's column, and the way out. */
const PARTITION_OWN =
  ` (the partition's own, not the partitioned table's, so zdm does not rebuild it on the new column: drop it ` +
  `before this migration and create it again after contract, or create it on the partitioned table instead)`;

/**
 * A partition's own index or constraint on the column (read as `other` on the partition): DROP
 * COLUMN drops it with the column, so it blocks only a change that keeps the column's values.
 */
export function isPartitionOwn(d: ColumnDependent): boolean {
  return d.on !== undefined && d.kind === 'other';
}

/**
 * Why a generated column using the changed column cannot follow, and the way out. A stored one
 * would have to be added again (or given a new expression) over the new column: Postgres rewrites
 * the whole table for that under ACCESS EXCLUSIVE. DROP EXPRESSION makes it a plain column keeping
 * its values, without a rewrite. A virtual one (PG 18) follows a renameColumn (SET EXPRESSION, no
 * rewrite: dependent-objects.ts); other changes leave its expression to the user.
 */
export function generatedColumnReason(table: TableInfo, name: string): string {
  const column = `${displayName(table)}.${quoteIdent(name)}`;
  if (table.columns.find((c) => c.name === name)?.generated === 'v')
    return (
      `a virtual generated column, which zdm carries through renameColumn only: give it an expression without ` +
      `this column first (a "sql" operation: ALTER TABLE ... ALTER COLUMN ${quoteIdent(name)} SET EXPRESSION AS ` +
      `(...), no rewrite for a virtual column) or drop it (dropColumn)`
    );
  return (
    `a stored generated column: recreating it over the changed column rewrites the whole table under an ` +
    `ACCESS EXCLUSIVE lock; a "sql" operation before this one, ALTER TABLE ${displayName(table)} ALTER COLUMN ` +
    `${quoteIdent(name)} DROP EXPRESSION, turns ${column} into a plain column keeping its values, without a ` +
    `rewrite (fill it from then on with a trigger or from the application), or drop it (dropColumn)`
  );
}

/** `view public.v, publication p (its column list ...)`: every dependent named, with its kind. */
export function describeDependents(dependents: readonly ColumnDependent[], table: TableInfo): string {
  return dependents
    .map((d) => {
      const why =
        d.kind === 'generated column'
          ? ` (${generatedColumnReason(table, d.name)})`
          : isPartitionOwn(d)
            ? PARTITION_OWN
            : (WHY[d.kind] ?? '');
      return `${d.kind} ${d.name}${d.on ? ` on partition ${displayName(d.on)}` : ''}${why}`;
    })
    .join(', ');
}

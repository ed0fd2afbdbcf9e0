import { tableKey, type ColumnDependent, type TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent } from '../../db/quote.js';
import * as ddl from './ddl.js';
import { recreateTrigger, replicaIdentityColumns } from './dependent-objects.js';

/**
 * Row-level-security policies, triggers whose WHEN clause or UPDATE OF list names a column,
 * SQL-standard function bodies and publication column lists / row filters, on columns whose type
 * changes through a shadow column. They bind to a column by its number, and contract drops the old
 * column, which Postgres refuses under them; a trigger left on the old column would also stop
 * firing for UPDATEs of the new one after the swap. So the swap states each again from the text
 * Postgres printed at plan time, which from the swap on names the new column: ALTER POLICY (same
 * USING and WITH CHECK), DROP + CREATE TRIGGER (same definition, enabled state, comment), CREATE OR
 * REPLACE FUNCTION (owner, grants and comment kept), ALTER PUBLICATION DROP + ADD TABLE (same
 * columns and row filter: CDC consumers get the new type from the swap on). They read the old column
 * until the swap and the new one after it (the trigger keeps both equal), and they are compiled on
 * the new type in the swap's transaction, so one that does not apply (a function declared to return
 * the old type) fails the switch, where rollback is possible, not contract. The swap's undo, once
 * the names are back, states them again on the old column.
 */
export interface RetypedDependents {
  /** Each dependent's statements (statesAgain), one after another: after the swap's renames, and again after its undo's. */
  statements: string[];
  /** `policy own on public.members`, `trigger audit on public.members`, for the plan. */
  names: string[];
}

/** The dependents of each table (or of its partitions) on one of `columns` that the swap states again. */
export function retypedDependents(changes: { table: TableInfo; columns: ReadonlySet<string> }[]): RetypedDependents {
  const out: RetypedDependents = { statements: [], names: [] };
  const seen = new Set<string>();
  for (const { table, columns } of changes)
    for (const d of table.dependents) {
      if (!columns.has(d.column) || !followsRetype(table, d)) continue;
      const key = `${d.kind} ${d.on ? tableKey(d.on) : ''} ${d.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.statements.push(...statesAgain(table, d));
      out.names.push(nameOf(d));
    }
  return out;
}

/** What states `d` again from its catalog text, which from the swap on names the new column. */
function statesAgain(table: TableInfo, d: ColumnDependent): string[] {
  if (d.policy) return [ddl.alterPolicy(d.policy, d.policy.using, d.policy.withCheck)];
  if (d.trigger) return recreateTrigger(d.trigger, d.trigger.definition);
  // CREATE OR REPLACE keeps the function's owner, grants and comment.
  if (d.function) return [d.function.definition];
  const p = d.publication!;
  return ddl.republishTable(p.name, table, p.columns, p.rowFilter);
}

function nameOf(d: ColumnDependent): string {
  const on = d.policy?.table ?? d.trigger?.table;
  if (on) return `${d.kind} ${quoteIdent(d.policy?.name ?? d.trigger!.name)} on ${displayName(on)}`;
  return d.kind === 'function' ? `function ${d.name}` : `publication ${quoteIdent(d.name)}`;
}

/**
 * Whether `d` is a dependent the swap can state again: read from the catalog (not rewritten for an
 * earlier rename of the migration, whose own steps move it); a policy or trigger on the table itself
 * or on the partition whose column it reads (the swap locks those); a SQL-standard function; a
 * publication's column list or row filter on the table (not a partition's own), unless the column is
 * in the replica identity the publication must cover for UPDATE and DELETE (the new column is not in
 * it before contract). The rest (a policy on another table reading the column in a subquery, ...)
 * is refused with the other dependents.
 */
export function followsRetype(table: TableInfo, d: ColumnDependent): boolean {
  if (d.renamed) return false;
  if (d.kind === 'function') return d.function !== undefined;
  if (d.kind === 'publication')
    return (
      d.publication !== undefined &&
      !d.on &&
      !(d.publication.publishesChanges && replicaIdentityColumns(table).includes(d.column))
    );
  const object = d.kind === 'policy' ? d.policy : d.kind === 'trigger' ? d.trigger : undefined;
  if (!object) return false;
  return tableKey(object.table) === tableKey(d.on ?? table);
}

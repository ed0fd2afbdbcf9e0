import { tableKey, type ColumnDependent, type TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, type QualifiedName } from '../../db/quote.js';
import * as ddl from './ddl.js';
import { recreateTrigger } from './dependent-objects.js';

/**
 * Row-level-security policies, and triggers whose WHEN clause or UPDATE OF list names a column,
 * on columns whose type changes through a shadow column. Both bind to a column by its number, and
 * contract drops the old column, which Postgres refuses under them; a trigger left on the old
 * column would also stop firing for UPDATEs of the new one after the swap. So the swap states each
 * again from the text Postgres printed at plan time, which from the swap on names the new column:
 * ALTER POLICY (same USING and WITH CHECK), and DROP + CREATE TRIGGER (same definition, enabled
 * state, comment). They read the old column until the swap and the new one after it (the trigger
 * keeps both equal), and their expressions are compiled on the new type in the swap's transaction,
 * so one that does not apply fails the switch, where rollback is possible, not contract. The swap's
 * undo, once the names are back, states them again on the old column.
 */
export interface RetypedDependents {
  /** One policy's ALTER or one trigger's DROP + CREATE after another: after the swap's renames, and again after its undo's. */
  statements: string[];
  /** `policy own on public.members`, `trigger audit on public.members`, for the plan. */
  names: string[];
}

/** The policies and triggers of each table (or of its partitions) that name one of `columns`. */
export function retypedDependents(changes: { table: TableInfo; columns: ReadonlySet<string> }[]): RetypedDependents {
  const out: RetypedDependents = { statements: [], names: [] };
  const seen = new Set<string>();
  for (const { table, columns } of changes)
    for (const d of table.dependents) {
      if (!columns.has(d.column) || !followsRetype(table, d)) continue;
      const { table: on, name } = (d.policy ?? d.trigger)!;
      const key = `${d.kind} ${tableKey(on)} ${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (d.policy) out.statements.push(ddl.alterPolicy(d.policy, d.policy.using, d.policy.withCheck));
      else out.statements.push(...recreateTrigger(d.trigger!, d.trigger!.definition));
      out.names.push(`${d.kind} ${quoteIdent(name)} on ${displayName(on)}`);
    }
  return out;
}

/**
 * Whether `d` is a policy or trigger the swap can state again: read from the catalog (not rewritten
 * for an earlier rename of the migration, whose own steps move it), and on the table itself or on
 * the partition whose column it reads (the swap locks those). A policy on another table that reads
 * the column in a subquery is refused with the other dependents.
 */
export function followsRetype(table: TableInfo, d: ColumnDependent): boolean {
  const object = d.kind === 'policy' ? d.policy : d.kind === 'trigger' ? d.trigger : undefined;
  if (!object || d.renamed) return false;
  const own: QualifiedName = d.on ?? table;
  return object.table.schema === own.schema && object.table.name === own.name;
}

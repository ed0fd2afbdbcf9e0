import { tableKey, type ColumnDependent, type TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, type QualifiedName } from '../../db/quote.js';
import * as ddl from './ddl.js';

/**
 * Row-level-security policies on columns whose type changes through a shadow column. A policy
 * binds to a column by its number, and contract drops the old column, which Postgres refuses
 * under a policy. So the swap states each policy again (ALTER POLICY) from the text Postgres
 * printed at plan time, which from the swap on names the new column: the policy reads the old
 * column until the swap and the new one after it (the trigger keeps both equal), and its
 * expression is compiled on the new type in the swap's transaction, so one that does not apply
 * fails the switch, where rollback is possible, not contract. The swap's undo, once the names are
 * back, states it again on the old column.
 */
export interface RetypedPolicies {
  /** ALTER POLICY, one per policy: after the swap's renames, and again after its undo's. */
  statements: string[];
  /** `policy own on public.members`, for the plan. */
  names: string[];
}

/** The policies of each table (or of its partitions) that name one of `columns`. */
export function retypedPolicies(changes: { table: TableInfo; columns: ReadonlySet<string> }[]): RetypedPolicies {
  const out: RetypedPolicies = { statements: [], names: [] };
  const seen = new Set<string>();
  for (const { table, columns } of changes)
    for (const d of table.dependents) {
      if (!columns.has(d.column) || !followsRetype(table, d)) continue;
      const p = d.policy!;
      const key = `${tableKey(p.table)} ${p.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.statements.push(ddl.alterPolicy(p, p.using, p.withCheck));
      out.names.push(`policy ${quoteIdent(p.name)} on ${displayName(p.table)}`);
    }
  return out;
}

/**
 * Whether `d` is a policy the swap can state again: read, and on the table itself or on the
 * partition whose column it reads (the swap locks those). A policy on another table that reads the
 * column in a subquery is refused with the other dependents.
 */
export function followsRetype(table: TableInfo, d: ColumnDependent): boolean {
  if (d.kind !== 'policy' || !d.policy) return false;
  const own: QualifiedName = d.on ?? table;
  return d.policy.table.schema === own.schema && d.policy.table.name === own.name;
}

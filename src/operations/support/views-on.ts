import type { ColumnDependent, DependentView, TableInfo } from '../../db/catalog.js';
import { displayName, type QualifiedName } from '../../db/quote.js';

/** A view on changed columns that `viewsOn` let through: what recreating it needs. */
export interface ViewOn {
  table: TableInfo;
  view: DependentView;
  /** Its schema-qualified name. */
  name: QualifiedName;
  /** `schema.name` as the catalog names the dependent, for refusals. */
  label: string;
  /** The relation whose columns it reads: the table, or the partition of it the view is on. */
  relation: QualifiedName;
}

/**
 * The views on `columns` of each table, each once (a view on several of them, or on two of the
 * tables, is met once). Those `refusal` gives a reason for are not returned: they are pushed to
 * `refused` as `view schema.name (reason)`.
 */
export function viewsOn(
  changes: readonly { table: TableInfo; columns: { has(column: string): boolean } }[],
  refusal: (d: ColumnDependent) => string | null,
  refused: string[],
): ViewOn[] {
  const out: ViewOn[] = [];
  const seen = new Set<string>();
  for (const { table, columns } of changes)
    for (const d of table.dependents) {
      if (d.kind !== 'view' || !columns.has(d.column) || seen.has(d.name)) continue;
      seen.add(d.name);
      const reason = d.definedBy
        ? `${d.definedBy} of this migration defines it; zdm recreates only views that exist before the ` +
          `migration: define it after this operation, at contract, or in a later migration`
        : refusal(d);
      if (reason) refused.push(`view ${d.name} (${reason})`);
      else
        out.push({
          table,
          view: d.view!,
          name: { schema: d.view!.schema, name: d.view!.name },
          label: d.on ? `${d.name} (on partition ${displayName(d.on)})` : d.name,
          relation: d.on ?? { schema: table.schema, name: table.name },
        });
    }
  return out;
}

import type { ColumnDependent, DependentView, TableInfo } from '../../db/catalog.js';
import { displayName, type QualifiedName } from '../../db/quote.js';
import type { LockTaken } from '../../plan/types.js';
import { rewriteViewQuery } from '../../sql/view-rewrite.js';
import * as ddl from './ddl.js';

/** Views that follow renamed columns: recreated at contract, before the old columns are dropped. */
export interface FollowingViews {
  /** CREATE OR REPLACE VIEW statements, one per view, on the new column names. */
  statements: string[];
  /** ACCESS EXCLUSIVE on each view (CREATE OR REPLACE VIEW), to take before the table's lock. */
  locks: LockTaken[];
  /** `view public.v`, for the plan. */
  names: string[];
  /** Dependents of the renamed columns that cannot follow, with the reason for each. */
  refused: string[];
}

/** A view on changed columns that `viewsOn` let through: what recreating it needs. */
export interface ViewOn {
  table: TableInfo;
  view: DependentView;
  /** Its schema-qualified name. */
  name: QualifiedName;
  /** `schema.name` as the catalog names the dependent, for refusals. */
  label: string;
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
      const reason = refusal(d);
      if (reason) refused.push(`view ${d.name} (${reason})`);
      else out.push({ table, view: d.view!, name: { schema: d.view!.schema, name: d.view!.name }, label: d.name });
    }
  return out;
}

/**
 * The plain views on `table`'s renamed columns, recreated on the new names with CREATE OR REPLACE
 * VIEW (same object: owner, grants, comment and views on it kept; column names and options given
 * explicitly). A view whose query cannot be rewritten for certain, and a materialized view, are
 * in `refused` with the reason.
 */
export function followingViews(table: TableInfo, renames: ReadonlyMap<string, string>): FollowingViews {
  const out: FollowingViews = { statements: [], locks: [], names: [], refused: [] };
  for (const { view, name, label } of viewsOn([{ table, columns: renames }], viewRefusal, out.refused)) {
    const rewritten = rewriteViewQuery(view.definition, table, renames);
    if ('refusal' in rewritten) {
      out.refused.push(`view ${label} (${rewritten.refusal})`);
      continue;
    }
    out.statements.push(ddl.replaceView(name, view.columns, view.options, rewritten.query));
    out.locks.push({ relation: name, mode: 'ACCESS EXCLUSIVE' });
    out.names.push(`view ${displayName(name)}`);
  }
  return out;
}

function viewRefusal(d: ColumnDependent): string | null {
  if (!d.view) return 'its definition was not read';
  if (d.view.relkind === 'm') return 'a materialized view cannot be recreated on the new column yet';
  return null;
}

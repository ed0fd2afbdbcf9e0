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

/**
 * The plain views on `table`'s renamed columns, recreated on the new names with CREATE OR REPLACE
 * VIEW (same object: owner, grants, comment and views on it kept; column names and options given
 * explicitly). A view whose query cannot be rewritten for certain, and a materialized view, are
 * in `refused` with the reason.
 */
export function followingViews(table: TableInfo, renames: ReadonlyMap<string, string>): FollowingViews {
  const out: FollowingViews = { statements: [], locks: [], names: [], refused: [] };
  const seen = new Set<string>();
  for (const d of table.dependents) {
    if (d.kind !== 'view' || !renames.has(d.column) || seen.has(d.name)) continue;
    seen.add(d.name);
    const reason = viewRefusal(d);
    if (reason) {
      out.refused.push(`view ${d.name} (${reason})`);
      continue;
    }
    const view = d.view!;
    const rewritten = rewriteViewQuery(view.definition, table, renames);
    if ('refusal' in rewritten) {
      out.refused.push(`view ${d.name} (${rewritten.refusal})`);
      continue;
    }
    const name: QualifiedName = { schema: view.schema, name: view.name };
    out.statements.push(ddl.replaceView(name, view.columns, view.options, rewritten.query));
    out.locks.push({ relation: name, mode: 'ACCESS EXCLUSIVE' });
    out.names.push(`view ${displayName(name)}`);
  }
  return out;
}

function viewRefusal(d: ColumnDependent & { view?: DependentView }): string | null {
  if (!d.view) return 'its definition was not read';
  if (d.view.relkind === 'm') return 'a materialized view cannot be recreated on the new column yet';
  return null;
}

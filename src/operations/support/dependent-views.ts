import type { ColumnDependent, TableInfo } from '../../db/catalog.js';
import { displayName } from '../../db/quote.js';
import type { LockTaken } from '../../plan/types.js';
import { rewriteViewQuery } from '../../sql/view-rewrite.js';
import * as ddl from './ddl.js';
import { matviewCopies, matviewRefusal, type MatviewCopies } from './matview-copies.js';
import { viewsOn, type ViewOn } from './views-on.js';

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
  /** Materialized views: copied at switch on the new names, swapped in at contract. */
  matviews: MatviewCopies;
}

/**
 * The plain views on `table`'s renamed columns, recreated on the new names with CREATE OR REPLACE
 * VIEW (same object: owner, grants, comment and views on it kept; column names and options given
 * explicitly); the materialized views copied on the new names (matview-copies.ts). A view whose
 * query cannot be rewritten for certain is in `refused` with the reason.
 */
export function followingViews(table: TableInfo, renames: ReadonlyMap<string, string>): FollowingViews {
  const refused: string[] = [];
  const copied: { on: ViewOn; query: string }[] = [];
  const out: FollowingViews = { statements: [], locks: [], names: [], refused, matviews: matviewCopies([]) };
  for (const on of viewsOn([{ table, columns: renames }], viewRefusal, refused)) {
    const { view, name, label } = on;
    const rewritten = rewriteViewQuery(view.definition, table, renames);
    if ('refusal' in rewritten) {
      refused.push(`view ${label} (${rewritten.refusal})`);
      continue;
    }
    if (view.relkind === 'm') {
      copied.push({ on, query: rewritten.query });
      continue;
    }
    out.statements.push(ddl.replaceView(name, view.columns, view.options, rewritten.query));
    out.locks.push({ relation: name, mode: 'ACCESS EXCLUSIVE' });
    out.names.push(`view ${displayName(name)}`);
  }
  out.matviews = matviewCopies(copied);
  return out;
}

function viewRefusal(d: ColumnDependent): string | null {
  if (!d.view) return 'its definition was not read';
  return d.view.relkind === 'm' ? matviewRefusal(d) : null;
}

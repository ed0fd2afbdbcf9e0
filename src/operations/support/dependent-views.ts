import type { ColumnDependent, DependentView, TableInfo } from '../../db/catalog.js';
import { displayName, generatedName, type QualifiedName } from '../../db/quote.js';
import type { LockTaken } from '../../plan/types.js';
import { rewriteViewQuery, type ViewRewrite } from '../../sql/view-rewrite.js';
import * as ddl from './ddl.js';
import { matviewCopies, matviewRefusal, type MatviewCopies } from './matview-copies.js';
import { viewsOn, type ViewOn } from './views-on.js';

/** Views that follow renamed or transformed columns: recreated at contract, before the old columns are dropped. */
export interface FollowingViews {
  /** CREATE OR REPLACE VIEW statements, one per view, on the new column names. */
  statements: string[];
  /**
   * Per view, its query compiled at switch as a temporary view and replaced by the new query, which
   * Postgres accepts only with the same output columns (names, types, collations): what the contract's
   * CREATE OR REPLACE needs, proved while rollback is still possible. Filled by transformColumn only
   * (a rename keeps every type by construction).
   */
  probes: string[];
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
 * query cannot be rewritten for certain is in `refused` with the reason. `rewrite` gives another
 * rewrite of the query (transformColumn's `down` in place of the column), `probe` the switch's probes.
 */
export function followingViews(
  table: TableInfo,
  renames: ReadonlyMap<string, string>,
  // A view on a partition reads the partition's columns, which the table's rename renames too.
  rewrite: (on: ViewOn) => ViewRewrite = (on) => rewriteViewQuery(on.view.definition, on.relation, renames),
  probe = false,
): FollowingViews {
  const refused: string[] = [];
  const copied: { on: ViewOn; query: string }[] = [];
  const out: FollowingViews = {
    statements: [],
    probes: [],
    locks: [],
    names: [],
    refused,
    matviews: matviewCopies([]),
  };
  for (const on of viewsOn([{ table, columns: renames }], viewRefusal, refused)) {
    const { view, name, label } = on;
    const rewritten = rewrite(on);
    if ('refusal' in rewritten) {
      refused.push(`view ${label} (${rewritten.refusal})`);
      continue;
    }
    if (view.relkind === 'm') {
      copied.push({ on, query: rewritten.query });
      continue;
    }
    out.statements.push(ddl.replaceView(name, view.columns, view.options, rewritten.query));
    if (probe) out.probes.push(...probeStatements(view, rewritten.query));
    out.locks.push({ relation: name, mode: 'ACCESS EXCLUSIVE' });
    out.names.push(`view ${displayName(name)}`);
  }
  out.matviews = matviewCopies(copied);
  return out;
}

/** The view as it is, as a temporary view, then replaced by `query` (same output columns or an error), then dropped. */
function probeStatements(view: DependentView, query: string): string[] {
  const temp: QualifiedName = { schema: 'pg_temp', name: generatedName('zdm_probe', view.name) };
  const original = view.definition.trim().replace(/;$/, '');
  return [
    ddl.createView(temp, view.columns, view.options, original),
    ddl.replaceView(temp, view.columns, view.options, query),
    ddl.dropView(temp),
  ];
}

function viewRefusal(d: ColumnDependent): string | null {
  if (!d.view) return 'its definition was not read';
  return d.view.relkind === 'm' ? matviewRefusal(d) : null;
}

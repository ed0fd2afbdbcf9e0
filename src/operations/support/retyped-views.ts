import type { ColumnDependent, DependentView, TableInfo } from '../../db/catalog.js';
import { displayName, generatedName, quoteIdent, quoteQualified } from '../../db/quote.js';
import type { LockTaken } from '../../plan/types.js';
import { viewsOn } from './views-on.js';
import * as ddl from './ddl.js';
import { identityStatements, matviewCopies, matviewRefusal, type MatviewCopies } from './matview-copies.js';

/**
 * Views on columns whose type changes through a shadow column. A view binds to a column by its
 * number, so through the window it reads the old column (the trigger keeps it in step, with `down`
 * after the swap) and keeps its old output types; the old column is dropped at contract, so the
 * view is dropped and created again there, in the same transaction, from the query Postgres printed
 * at plan time, which names the column that now has that name: the new one. CREATE OR REPLACE
 * cannot change an output column's type, hence DROP and CREATE, giving back what DROP loses: options,
 * output names, owner, grants (table and column), comments. What DROP would also take (views built
 * on it, its triggers, rules, defaults) is refused at plan time, naming each.
 */
export interface RecreatedViews {
  /** DROP VIEW, one per view: before the old columns are dropped. */
  drops: string[];
  /** CREATE VIEW and what it gives back: after. */
  creates: string[];
  /**
   * For the swap's transaction: each query compiled on the new column as a temporary view, dropped
   * at once, so a query that does not apply to the new type fails the swap (rollback possible), not contract.
   */
  probes: string[];
  /** ACCESS EXCLUSIVE on each view, to take before the tables' locks. */
  locks: LockTaken[];
  /** `view public.v`, for the plan. */
  names: string[];
  /** Views that cannot be recreated, with the reason for each. */
  refused: string[];
  /** Materialized views: copied at switch (after the swap, reading the new column), swapped in at contract. */
  matviews: MatviewCopies;
}

/** The views on `columns` of each table (a view on several of them once). */
export function recreatedViews(changes: { table: TableInfo; columns: ReadonlySet<string> }[]): RecreatedViews {
  const refused: string[] = [];
  const all = viewsOn(changes, (d) => (d.view?.relkind === 'm' ? matviewRefusal(d) : refusal(d)), refused);
  const matviews = matviewCopies(
    all.filter((v) => v.view.relkind === 'm').map((on) => ({ on, query: queryOf(on.view) })),
  );
  const out: RecreatedViews = { drops: [], creates: [], probes: [], locks: [], names: [], refused, matviews };
  for (const { view, name } of all.filter((v) => v.view.relkind === 'v')) {
    const query = queryOf(view);
    out.drops.push(`DROP VIEW ${quoteQualified(name)}`);
    out.creates.push(ddl.createView(name, view.columns, view.options, query), ...identityStatements(name, view));
    const probe = generatedName('zdm_probe', view.name);
    out.probes.push(`CREATE TEMPORARY VIEW ${quoteIdent(probe)} AS ${query}`, `DROP VIEW pg_temp.${quoteIdent(probe)}`);
    out.locks.push({ relation: name, mode: 'ACCESS EXCLUSIVE' });
    out.names.push(`view ${displayName(name)}`);
  }
  return out;
}

/**
 * The query Postgres printed at plan time: it names the column by name, which after the swap is
 * the new one.
 */
function queryOf(view: DependentView): string {
  return view.definition.trim().replace(/;$/, '');
}

function refusal(d: ColumnDependent): string | null {
  const identity = d.view?.identity;
  if (!d.view || !identity) return 'its definition was not read';
  if (identity.dependents.length > 0)
    return `recreating it for the new column type would drop ${identity.dependents.join(', ')} with it`;
  return null;
}

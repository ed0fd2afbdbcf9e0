import type { ColumnDependent, DependentView, TableInfo } from '../../db/catalog.js';
import { displayName, generatedName, quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import { retargetRelations } from '../../sql/view-rewrite.js';
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

/**
 * The views on `columns` of each table (a view on several of them once), each with the views built
 * on it (its `chain`): dropped from the last built to the view itself, created again in the order
 * they were built, each probed in the swap against the probes of the views it reads.
 */
export function recreatedViews(changes: { table: TableInfo; columns: ReadonlySet<string> }[]): RecreatedViews {
  const refused: string[] = [];
  const all = viewsOn(changes, (d) => (d.view?.relkind === 'm' ? matviewRefusal(d) : refusal(d)), refused);
  const matviews = matviewCopies(
    all.filter((v) => v.view.relkind === 'm').map((on) => ({ on, query: queryOf(on.view) })),
  );
  const out: RecreatedViews = { drops: [], creates: [], probes: [], locks: [], names: [], refused, matviews };
  const plain = all.filter((v) => v.view.relkind === 'v');
  const chained = new Set(plain.flatMap(({ view }) => (view.chain ?? []).map(keyOf)));
  const emitted = new Map<string, string>();
  for (const { view, label } of plain) {
    // A view on the column that is also built on another one is recreated in that one's chain.
    if (chained.has(keyOf(view))) continue;
    const members = [view, ...(view.chain ?? [])];
    const shared = members.find((m) => emitted.has(keyOf(m)));
    const probes = shared
      ? `view ${keyOf(shared)} is built on it and on view ${emitted.get(keyOf(shared))!} too`
      : probesOf(members);
    if (typeof probes === 'string') {
      refused.push(`view ${label} (${probes})`);
      continue;
    }
    for (const m of members) emitted.set(keyOf(m), label);
    for (const m of [...members].reverse()) out.drops.push(`DROP VIEW ${quoteQualified(nameOf(m))}`);
    for (const m of members)
      out.creates.push(
        ddl.createView(nameOf(m), m.columns, m.options, queryOf(m)),
        ...identityStatements(nameOf(m), m),
      );
    out.probes.push(...probes);
    out.locks.push(...members.map((m) => ({ relation: nameOf(m), mode: 'ACCESS EXCLUSIVE' as const })));
    out.names.push(members.map((m) => `view ${displayName(nameOf(m))}`).join(', '));
  }
  return out;
}

const nameOf = (v: DependentView): QualifiedName => ({ schema: v.schema, name: v.name });
const keyOf = (v: DependentView) => `${v.schema}.${v.name}`;

/**
 * Each view compiled as a temporary view in the swap (the first on the new column, each later one
 * reading the probes of the views before it), then all dropped; or why one cannot be.
 */
function probesOf(members: DependentView[]): string[] | string {
  const targets = new Map<string, QualifiedName>();
  const creates: string[] = [];
  for (const m of members) {
    const query = targets.size === 0 ? queryOf(m) : retargetRelations(m.definition, targets);
    if (query === null) return `view ${keyOf(m)} built on it does not print back to the same query`;
    const probe = { schema: 'pg_temp', name: generatedName('zdm_probe', m.name) };
    creates.push(`CREATE TEMPORARY VIEW ${quoteIdent(probe.name)} AS ${query}`);
    targets.set(keyOf(m), probe);
  }
  const drops = [...targets.values()].reverse().map((p) => `DROP VIEW pg_temp.${quoteIdent(p.name)}`);
  return [...creates, ...drops];
}

/**
 * The query Postgres printed at plan time: it names the column by name, which after the swap is
 * the new one.
 */
function queryOf(view: DependentView): string {
  return view.definition.trim().replace(/;$/, '');
}

/**
 * Why a view cannot be recreated with the views built on it: what DROP would also take beyond
 * those views (a materialized view built on it, a trigger or rule of one of them).
 */
function refusal(d: ColumnDependent): string | null {
  const members = d.view ? [d.view, ...(d.view.chain ?? [])] : [];
  if (!d.view || members.some((m) => !m.identity)) return 'its definition was not read';
  const chain = new Set(members.slice(1).map((m) => `rule _RETURN on view ${quoteQualified(nameOf(m))}`));
  const others = [...new Set(members.flatMap((m) => m.identity!.dependents.filter((x) => !chain.has(x))))];
  if (others.length > 0) return `recreating it for the new column type would drop ${others.join(', ')} with it`;
  return null;
}

import type { TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, type QualifiedName } from '../../db/quote.js';
import { expressionColumns, parseExpression } from '../../sql/expression.js';
import { substituteViewQuery } from '../../sql/view-rewrite.js';
import type { PlanContext, StepBuilder } from '../types.js';
import { followingViews, type FollowingViews } from './dependent-views.js';
import { matviewCopySteps, matviewNote } from './matview-copies.js';

/**
 * Views and materialized views on the columns transformColumn replaces (the decision is in
 * src/operations/README.md, "Views on transformed columns"). Through the window they read the old
 * columns, which the trigger keeps in step. At contract each plain view is recreated (CREATE OR
 * REPLACE VIEW, same object) with every reference to an old column `c` replaced by `down` for `c`,
 * cast to `c`'s type and collation: the view keeps its output names, types and values (the old
 * column's, as `down` computes them from the new columns), so nothing built on it changes. A
 * materialized view is copied on that query at switch and takes its place at contract.
 */
export function transformedViews(
  table: TableInfo,
  from: readonly string[],
  down: readonly { column: string; expression: string }[],
  dropOld: boolean,
): FollowingViews {
  const substitutes = new Map<string, string>();
  const reasons = new Map<string, string>();
  for (const { column, expression } of down) {
    const col = table.columns.find((c) => c.name === column)!;
    substitutes.set(column, `((${expression})::${col.type}${col.collation ? ` COLLATE ${col.collation}` : ''})`);
    const reason = downProblem(expression, from, dropOld);
    if (reason) reasons.set(column, `its "down" for ${quoteIdent(column)} ${reason}`);
  }
  return followingViews(
    table,
    substitutes,
    (on) => {
      const view = `${on.name.schema}.${on.name.name}`;
      const bad = table.dependents.find((d) => d.kind === 'view' && d.name === view && reasons.has(d.column));
      if (bad) return { refusal: reasons.get(bad.column)! };
      // a view on a partition reads the partition's columns, which transformColumn replaces too
      return substituteViewQuery(on.view.definition, on.relation, substitutes);
    },
    true,
  );
}

/** Why `down` cannot stand for the old column in a view after contract, if it cannot. */
function downProblem(expression: string, from: readonly string[], dropOld: boolean): string | null {
  if (parseExpression(expression).subquery) return 'has a subquery, whose column names a view would read differently';
  const old = [...expressionColumns(expression)].filter((c) => from.includes(c));
  if (old.length === 0) return null;
  const after = dropOld ? 'which contract drops' : 'which after contract is no longer kept in step';
  return `reads ${old.map(quoteIdent).join(', ')}, ${after}`;
}

/** switch: each view's new query proved (probes), each materialized view copied. */
export function transformedViewSteps(
  ctx: PlanContext,
  steps: StepBuilder,
  t: QualifiedName,
  views: FollowingViews,
): void {
  if (views.probes.length > 0)
    steps.sql('switch', {
      description:
        `check that ${views.names.join(', ')} can read the new columns of ${displayName(t)} with the same ` +
        `output columns (each query compiled as a temporary view, dropped at once)`,
      statements: views.probes,
      transactional: true,
      impact: ctx.briefLock(t, 'ACCESS SHARE'),
    });
  matviewCopySteps(ctx, steps, views.matviews, 'the new columns through "down"');
}

/** The plan says which views follow, what they read from contract on and what that changes. */
export function transformedViewNotes(ctx: PlanContext, views: FollowingViews, from: readonly string[]): void {
  const old = from.map(quoteIdent).join(', ');
  if (views.names.length > 0)
    ctx.note({
      phase: 'contract',
      text:
        `${views.names.join(', ')}: recreated in the contract step (CREATE OR REPLACE VIEW: same output names, ` +
        `types, options, owner, grants and comments) with each reference to ${old} replaced by its "down" ` +
        `expression over the new columns, cast to the old type, so the view gives the values it gives now ` +
        `(checked at switch); until contract it reads ${old}, which the trigger keeps in step. An output ` +
        `column that was the old column itself becomes computed unless "down" is a plain column (no longer ` +
        `writable through the view), and a condition on it no longer uses the old column's indexes; to have ` +
        `the view show the new columns instead, replace it in a "sql" operation at contract`,
    });
  matviewNote(ctx, views.matviews, 'the new columns through "down"');
}

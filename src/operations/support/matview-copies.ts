import type { ColumnDependent, DependentView, TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '../../db/quote.js';
import type { LockTaken } from '../../plan/types.js';
import { retargetIndexDefinition } from '../../sql/rewrite.js';
import type { PlanContext, StepBuilder } from '../types.js';
import type { ViewOn } from './views-on.js';
import * as ddl from './ddl.js';
import { followUpLockTimeout } from './lock-order.js';

/**
 * Materialized views on a column that is renamed or retyped. Like a view, a materialized view binds
 * to the column by number, so it keeps reading the old column until contract drops it, and there is
 * no CREATE OR REPLACE for it. So a copy is built WITH DATA at switch (a full recompute of its query,
 * reading the new column), with the original's storage options, indexes (a REFRESH ... CONCURRENTLY
 * needs its unique index), owner, grants and comments; at contract, in the same transaction as the
 * column drop, the original is dropped and the copy takes its name and its indexes theirs.
 */
export interface MatviewCopies {
  /** switch, one step each (after the new column is readable under the name the query uses). */
  builds: { view: QualifiedName; table: TableInfo; statements: string[]; undo: string[]; size: string }[];
  /** contract, before the old columns are dropped: drop each original, the copy and its indexes take the names. */
  swaps: string[];
  /** ACCESS EXCLUSIVE on each original and its copy, to take before the tables' locks. */
  locks: LockTaken[];
  /** `materialized view public.m`, for the plan. */
  names: string[];
}

/** The copy of each materialized view in `views`, built from `query` (its definition on the new column). */
export function matviewCopies(views: { on: ViewOn; query: string }[]): MatviewCopies {
  const out: MatviewCopies = { builds: [], swaps: [], locks: [], names: [] };
  for (const { on, query } of views) {
    const { view, name } = on;
    const copy: QualifiedName = { schema: name.schema, name: ddl.tempName(name.name) };
    const indexes = view.identity!.indexes;
    out.builds.push({
      view: name,
      table: on.table,
      statements: [
        `DROP MATERIALIZED VIEW IF EXISTS ${quoteQualified(copy)}`,
        ddl.createMaterializedView(copy, view.columns, view.options, query, view.populated !== false),
        ...indexes.map((ix) => retargetIndexDefinition(ix.definition, ddl.tempName(ix.name), copy)),
        ...identityStatements(copy, view, 'MATERIALIZED VIEW'),
      ],
      undo: [`DROP MATERIALIZED VIEW IF EXISTS ${quoteQualified(copy)}`],
      size: sizeOf(view),
    });
    out.swaps.push(
      `DROP MATERIALIZED VIEW ${quoteQualified(name)}`,
      `ALTER MATERIALIZED VIEW ${quoteQualified(copy)} RENAME TO ${quoteIdent(name.name)}`,
      ...indexes.map((ix) => ddl.renameIndex(name.schema, ddl.tempName(ix.name), ix.name)),
    );
    out.locks.push({ relation: name, mode: 'ACCESS EXCLUSIVE' }, { relation: copy, mode: 'ACCESS EXCLUSIVE' });
    out.names.push(`materialized view ${displayName(name)}`);
  }
  return out;
}

/**
 * A contract step's opening statements when it swaps materialized views in. LOCK TABLE cannot lock
 * a materialized view, so the swaps come first (nothing depends on an original: refused at plan
 * time otherwise): the first DROP takes its ACCESS EXCLUSIVE under the step's lock_timeout, every
 * lock after it, the tables' included, the short follow-up timeout (lock-order.ts).
 */
export function swapsFirst(copies: MatviewCopies, locking: string[]): string[] {
  if (copies.swaps.length === 0) return locking;
  return [
    copies.swaps[0]!,
    followUpLockTimeout(),
    ...copies.swaps.slice(1),
    ...locking.filter((s) => s !== followUpLockTimeout()),
  ];
}

/** Why a materialized view cannot be copied: null when it can. */
export function matviewRefusal(d: ColumnDependent): string | null {
  const identity = d.view?.identity;
  if (!identity) return 'its definition was not read';
  if (identity.dependents.length > 0)
    return `replacing it by a copy on the new column would drop ${identity.dependents.join(', ')} with it`;
  return null;
}

/** switch: one step per copy, each one transaction (rollback drops the copy). */
export function matviewCopySteps(ctx: PlanContext, steps: StepBuilder, copies: MatviewCopies, reads: string): void {
  for (const b of copies.builds)
    steps.sql('switch', {
      description:
        `build a copy of materialized view ${displayName(b.view)} reading ${reads} ` +
        `(a full recompute of its query, ${b.size}), with its indexes, owner, grants and comments; ` +
        `it takes the original's place at contract`,
      statements: b.statements,
      transactional: true,
      impact: ddl.readScanImpact(b.table),
      undo: { statements: b.undo, transactional: true },
    });
}

/** The plan says which materialized views are copied, what the copy costs, and what it does not carry. */
export function matviewNote(ctx: PlanContext, copies: MatviewCopies, reads: string): void {
  if (copies.names.length === 0) return;
  ctx.note({
    phase: 'switch',
    text:
      `${copies.names.join(', ')}: copied at switch reading ${reads} (a full recompute of each query: ` +
      `${copies.builds.map((b) => `${displayName(b.view)} ${b.size}`).join(', ')}; it reads every table the ` +
      `query reads, blocking no reads or writes), with the same output names, storage options, indexes, ` +
      `owner, grants and comments; at contract the copy takes the original's name and its indexes theirs. ` +
      `The copy holds the data as of the switch: a REFRESH of the original during the window is not ` +
      `carried over, so refresh again after contract if it matters`,
  });
}

/** What DROP loses and CREATE must give back: owner, grants (table and column), comments. */
export function identityStatements(
  name: QualifiedName,
  view: DependentView,
  kind: 'VIEW' | 'MATERIALIZED VIEW' = 'VIEW',
): string[] {
  const id = view.identity!;
  const on = quoteQualified(name);
  const columns = [...new Set(id.columnGrants.map((g) => g.column))];
  return [
    `ALTER ${kind} ${on} OWNER TO ${quoteIdent(id.owner)}`,
    ...ddl.grantStatements(id.grants, on),
    ...columns.flatMap((c) =>
      ddl.grantStatements(
        id.columnGrants.filter((g) => g.column === c),
        on,
        c,
      ),
    ),
    ...(id.comment !== null ? [`COMMENT ON ${kind} ${on} IS ${quoteLiteral(id.comment)}`] : []),
    ...id.columnComments.map((c) => ddl.commentOnColumn(name, c.column, quoteLiteral(c.comment))),
  ];
}

/** `about 1200 rows`, or why the size is not known (pg_class.reltuples is -1 until the first VACUUM or ANALYZE). */
function sizeOf(view: DependentView): string {
  const rows = view.estimatedRows ?? -1;
  return rows >= 0 ? `about ${Math.round(rows)} rows` : 'size unknown: never analyzed';
}

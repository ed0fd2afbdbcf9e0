import { z } from 'zod';
import type { ColumnInfo, ConstraintInfo, TableInfo } from '../db/catalog.js';
import { displayName, generatedName, parseColumnName, quoteIdent, type QualifiedName } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import type { LockTaken } from '../plan/types.js';
import { ColumnCopy } from './support/column-copy.js';
import { lockTreeFirst } from './support/partitions.js';
import { rowTypeUse } from './support/row-type-users.js';
import { spelledColumn } from './support/common.js';
import * as ddl from './support/ddl.js';
import { validateConstraintStep, verifyStep } from './support/steps.js';
import {
  comparesAsText,
  distinctSql,
  dropSyncTriggerStatements,
  syncTriggerStatements,
} from './support/sync-trigger.js';
import type { OperationDefinition, PlanContext, StepBuilder } from './types.js';
import { describeDependents } from './support/dependents.js';
import { followingViews, type FollowingViews } from './support/dependent-views.js';
import { matviewCopySteps, matviewNote, swapsFirst } from './support/matview-copies.js';
import { followingObjects, type FollowingObjects } from './support/dependent-objects.js';
import { lockTablesStatements } from './support/lock-order.js';
import { wholeRowNote } from './support/whole-row.js';

export const renameColumnSchema = z
  .object({
    op: z.literal('renameColumn'),
    table: objectName,
    from: columnName,
    to: columnName,
  })
  .strict();

export type RenameColumn = z.infer<typeof renameColumnSchema>;

/**
 * renameColumn the expand/contract way (a plain RENAME breaks every running client that still
 * uses the old name):
 * - expand: add the new column (same type, collation), a trigger that keeps both equal whichever
 *   one a client writes, NOT NULL / CHECK / FK copies as NOT VALID constraints, and every index on
 *   the old column rebuilt CONCURRENTLY on the new one;
 * - backfill: copy old into new in keyset batches;
 * - switch: verify no row differs, VALIDATE the copied constraints (SHARE UPDATE EXCLUSIVE);
 * - contract: in one short transaction, drop the trigger and the old column, move the default,
 *   sequence ownership, NOT NULL, unique and primary-key constraints to the new column, and give
 *   indexes and constraints back their original names, so the table ends as RENAME COLUMN leaves it.
 */
export const renameColumn: OperationDefinition<RenameColumn> = {
  schema: renameColumnSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `rename column ${spec.table}.${spec.from} to ${spec.to}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    change.renameColumn(table, spelledColumn(table, spec.from), parseColumnName(spec.to));
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const from = spelledColumn(table, spec.from);
    const to = parseColumnName(spec.to);
    const oldColumn = ctx.column(table, from, 'from');
    const t: QualifiedName = { schema: table.schema, name: table.name };
    const where = `${displayName(t)}.${quoteIdent(from)}`;
    if (from === to) ctx.fail('to', `"${to}" is the column's current name`);
    if (table.columns.some((c) => c.name === to))
      ctx.fail('to', `column ${quoteIdent(to)} already exists on table ${displayName(t)}`);
    const renames = new Map([[from, to]]);
    const views = followingViews(table, renames);
    const objects = followingObjects(table, renames, ctx.laterRenames(t));
    refuseUnsupported(ctx, table, from, where, views, objects);

    const fn: QualifiedName = { schema: table.schema, name: generatedName('zdm_sync', table.name, from, to) };
    const trigger = fn.name;
    const steps = ctx.steps('rename_column', where);
    const newCol = quoteIdent(to);

    const copy = new ColumnCopy(table, renames);
    copy.refusePartitioned(ctx, 'from', `${where} cannot be renamed the expand/contract way`, () => to);
    const checks = copy.constraints('c');
    const foreignKeys = copy.constraints('f');
    const notNullCheck = oldColumn.notNull ? ddl.notNullCheckName(t, to) : undefined;

    const r: Rename = {
      table,
      t,
      from,
      to,
      oldColumn,
      fn,
      trigger,
      newCol,
      where,
      copy,
      views,
      objects,
      checks,
      foreignKeys,
      notNullCheck,
      asText: comparesAsText(ctx.catalog, oldColumn.typeOid),
    };
    expandStep(ctx, steps, r);

    // expand 2..: every index on the old column, rebuilt concurrently on the new one.
    copy.indexSteps(steps, (original) => ` (${newCol}) like ${original}`);

    ctx.backfill({
      table,
      assignments: [{ column: to, expression: quoteIdent(from) }],
      pending: distinctSql(newCol, quoteIdent(from), r.asText),
      keyChecks: foreignKeys.flatMap((fk) => (fk.references ? [fk.references.table] : [])),
    });

    // switch: the copy is complete and the copied constraints hold for every row.
    verifyStep(
      steps,
      table,
      distinctSql(newCol, quoteIdent(from), r.asText),
      [from, to],
      `verify no row of ${displayName(t)} has ${newCol} different from ${quoteIdent(from)}`,
      `rows of ${displayName(t)} where ${newCol} differs from ${quoteIdent(from)}: the backfill has not covered them`,
    );
    if (notNullCheck) validateConstraintStep(steps, table, notNullCheck, { short: true });
    copy.validateSteps(steps, [...checks, ...foreignKeys]);
    switchDependents(ctx, steps, t, { objects, views }, newCol);

    contractStep(steps, r);
    dependentNotes(ctx, { table, views, objects }, from, newCol);
    ctx.note({
      phase: 'switch',
      text: `after switch, deploy the application version that reads and writes ${displayName(t)}.${newCol}; versions using ${quoteIdent(from)} keep working until contract`,
    });
    ctx.note({
      phase: 'contract',
      text: `run contract only when no running application version uses ${where}: it is dropped`,
    });
  },
};

/** What the steps of one rename share. */
interface Rename {
  table: TableInfo;
  t: QualifiedName;
  from: string;
  to: string;
  oldColumn: ColumnInfo;
  fn: QualifiedName;
  trigger: string;
  newCol: string;
  where: string;
  copy: ColumnCopy;
  views: FollowingViews;
  objects: FollowingObjects;
  checks: ConstraintInfo[];
  foreignKeys: ConstraintInfo[];
  notNullCheck: string | undefined;
  /** The column's type has no = operator: the trigger compares text forms. */
  asText: boolean;
}

/** expand 1: column, sync trigger and NOT VALID copies of its constraints, in one transaction. */
function expandStep(ctx: PlanContext, steps: StepBuilder, r: Rename): void {
  const { table, t, from, to, oldColumn, fn, trigger, newCol, copy, objects, notNullCheck, checks, foreignKeys } = r;
  const forward = [{ column: to, expression: quoteIdent(from), asText: r.asText }];
  const expand = [
    ...copy.addColumn(oldColumn, oldColumn.type),
    ...syncTriggerStatements(
      t,
      fn,
      trigger,
      { forward, backward: [{ column: from, expression: newCol }] },
      new Set([from, to]),
    ),
  ];
  if (notNullCheck) expand.push(ddl.addNotNullCheck(t, to, notNullCheck));
  expand.push(...copy.constraintCopies([...checks, ...foreignKeys]), ...objects.expand.statements);
  const notValid = (notNullCheck ? 1 : 0) + checks.length + foreignKeys.length;
  // ALTER TABLE recurses: every partition of a partitioned table is locked too (trace harness).
  const locks: LockTaken[] = ddl.treeLocks(table, 'ACCESS EXCLUSIVE');
  for (const fk of foreignKeys)
    if (fk.references) locks.push({ relation: fk.references.table, mode: 'SHARE ROW EXCLUSIVE' });
  steps.sql('expand', {
    description: `add column ${newCol} to ${displayName(t)} with a trigger keeping it equal to ${quoteIdent(from)}${notValid ? `, and ${notValid} NOT VALID constraint(s)` : ''}`,
    statements: expand,
    transactional: true,
    impact: { ...ctx.briefLock(t), locks },
    undo: {
      statements: [
        ...lockTreeFirst(table),
        ...dropSyncTriggerStatements(t, fn, trigger),
        ...objects.expand.undo,
        ddl.dropColumn(t, to, { ifExists: true }),
      ],
      transactional: true,
    },
  });
}

/** contract: one short transaction of metadata-only changes (views first: readers lock them first). */
function contractStep(steps: StepBuilder, r: Rename): void {
  const { table, t, from, to, fn, trigger, newCol, where, copy, views, objects, notNullCheck, checks, foreignKeys } = r;
  const following = [...views.names, ...views.matviews.names, ...objects.contract.names, ...objects.generated.names];
  const locks = [...views.locks, ...views.matviews.locks, ...objects.contract.locks];
  const viewsText = following.length > 0 ? `; ${following.join(', ')} recreated on ${newCol}` : '';
  steps.sql('contract', {
    description: `drop ${where} and its trigger; ${newCol} takes over its default, NOT NULL, constraints and index names${viewsText}`,
    statements: [
      ...swapsFirst(
        views.matviews,
        lockTablesStatements([...views.locks, ...objects.contract.locks, { relation: t, mode: 'ACCESS EXCLUSIVE' }]),
      ),
      ...lockTreeFirst(table),
      ...views.statements,
      ...objects.contract.statements,
      ...contractStatements(table, {
        from,
        to,
        fn,
        trigger,
        notNullCheck,
        copy,
        constraints: [...checks, ...foreignKeys],
        generated: objects.generated.statements,
      }),
    ],
    transactional: true,
    impact: ddl.briefLocks([...ddl.treeLocks(table, 'ACCESS EXCLUSIVE'), ...locks]),
  });
}

/**
 * switch: SQL-standard functions read, and publications publish, the new column from the moment
 * the new version may write it (the trigger keeps both equal, so a function returns the same values
 * and a CDC consumer sees them under the new name); rollback restores their definitions.
 */
function switchDependents(
  ctx: PlanContext,
  steps: ReturnType<PlanContext['steps']>,
  t: QualifiedName,
  { objects, views }: { objects: FollowingObjects; views: FollowingViews },
  newCol: string,
): void {
  matviewCopySteps(ctx, steps, views.matviews, newCol);
  if (objects.switch.statements.length === 0) return;
  steps.sql('switch', {
    description: `${objects.switch.names.join(', ')}: moved to ${newCol} of ${displayName(t)}`,
    statements: objects.switch.statements,
    transactional: true,
    impact: ctx.briefLock(t, 'SHARE UPDATE EXCLUSIVE'),
    undo: { statements: objects.switch.undo, transactional: true },
  });
}

/** The plan says which dependents follow the column, when, and which functions zdm cannot see into. */
function dependentNotes(
  ctx: PlanContext,
  { table, views, objects }: { table: TableInfo; views: FollowingViews; objects: FollowingObjects },
  from: string,
  newCol: string,
): void {
  const old = quoteIdent(from);
  const stats = (table.statistics ?? []).filter((st) => st.columns.includes(from));
  if (stats.length > 0)
    ctx.note({
      phase: 'contract',
      text: `statistics ${stats.map((st) => displayName(st)).join(', ')}: dropped with ${old} and recreated on ${newCol} in the contract step (same name, kinds, comment and target; empty until the next ANALYZE)`,
    });
  if (views.names.length > 0)
    ctx.note({
      phase: 'contract',
      text: `${views.names.join(', ')}: recreated on ${newCol} in the contract step (CREATE OR REPLACE VIEW: same columns, options, owner, grants and comment); until then they read ${old}, which the trigger keeps equal`,
    });
  matviewNote(ctx, views.matviews, newCol);
  if (objects.expand.names.length > 0)
    ctx.note({
      phase: 'expand',
      text: `${objects.expand.names.join(', ')}: recreated with ${newCol} added to its UPDATE OF list, so it fires for updates by either version (same name, enabled state and comment); rollback restores it`,
    });
  if (objects.switch.names.length > 0)
    ctx.note({
      phase: 'switch',
      text: `${objects.switch.names.join(', ')}: moved to ${newCol} at switch (a function's body reads it, a publication's CDC consumers receive it instead of ${old}: the same values, which the trigger keeps equal; a function keeps its owner, grants and comment); rollback restores them`,
    });
  if (objects.generated.names.length > 0)
    ctx.note({
      phase: 'contract',
      text: `${objects.generated.names.join(', ')}: its expression reads ${newCol} from the contract step (SET EXPRESSION, no rewrite for a virtual column); until then it reads ${old}, which the trigger keeps equal`,
    });
  if (objects.contract.names.length > 0)
    ctx.note({
      phase: 'contract',
      text: `${objects.contract.names.join(', ')}: rewritten on ${newCol} in the contract step (same name, roles, command, enabled state and comment); until then they read ${old}, which the trigger keeps equal`,
    });
  for (const text of objects.notes) ctx.note({ phase: 'expand', text });
  wholeRowNote(ctx, table, {
    window: `from expand each row also carries ${newCol} (NULL until the backfill) beside ${old}`,
    after: `from contract ${newCol} takes the place of ${old} as the row's last field`,
    backfills: true,
  });
  for (const f of objects.untracked)
    ctx.note({
      phase: 'contract',
      text: `warning: ${f} in a body zdm cannot rewrite (not tracked by Postgres): it keeps working until contract drops ${old}, then fails when called; replace it with a version using ${newCol} (a "sql" operation at contract)`,
    });
}

function refuseUnsupported(
  ctx: PlanContext,
  table: TableInfo,
  from: string,
  where: string,
  views: FollowingViews,
  objects: FollowingObjects,
): void {
  const column = table.columns.find((c) => c.name === from)!;
  if (column.identity)
    ctx.fail(
      'from',
      `${where} is an identity column; renaming it the expand/contract way is not supported yet (a plain RENAME COLUMN in a "sql" operation is the alternative)`,
    );
  if (column.generated)
    ctx.fail('from', `${where} is a generated column; renameColumn cannot keep a generated copy in sync`);
  const inbound = table.referencedBy.filter((fk) => fk.referencedColumns.includes(from));
  if (inbound.length > 0) {
    ctx.fail(
      'from',
      `${where} is referenced by foreign key(s) ${inbound.map((fk) => `${quoteIdent(fk.name)} on ${displayName(fk.table)}`).join(', ')}; renameColumn cannot move a referenced column yet`,
    );
  }
  const exclusion = table.constraints.filter((c) => c.type === 'x' && c.columns.includes(from));
  if (exclusion.length > 0)
    ctx.fail(
      'from',
      `${where} is part of exclusion constraint ${quoteIdent(exclusion[0]!.name)}, which cannot be rebuilt without a blocking lock`,
    );
  const rowType = rowTypeUse(table);
  if (rowType)
    ctx.fail(
      'from',
      `${where} cannot be renamed the expand/contract way: ${rowType}, whose stored rows keep ` +
        `${quoteIdent(from)}'s value at its position; renameColumn's copy would read NULL there once contract ` +
        `drops ${quoteIdent(from)}. A plain ALTER TABLE ... RENAME COLUMN in a "sql" operation keeps those ` +
        `values (application versions using the old name stop working at once); or change those columns to ` +
        `another type (or drop them) first`,
    );
  const followed = new Set(['view', 'policy', 'trigger', 'function', 'publication', 'generated column']);
  const dependents = table.dependents.filter((d) => d.column === from && !followed.has(d.kind));
  const refused = [
    ...views.refused,
    ...objects.refused,
    ...(dependents.length > 0 ? [describeDependents(dependents, table)] : []),
  ];
  if (refused.length > 0) {
    ctx.fail(
      'from',
      `${where} is used by ${refused.join(', ')}; change or drop those first (dropping the column would need CASCADE)`,
    );
  }
}

interface ContractInput {
  from: string;
  to: string;
  fn: QualifiedName;
  trigger: string;
  notNullCheck: string | undefined;
  copy: ColumnCopy;
  constraints: ConstraintInfo[];
  /** SET EXPRESSION of the virtual generated columns on the old column (dependent-objects.ts). */
  generated: string[];
}

function contractStatements(table: TableInfo, c: ContractInput): string[] {
  const t: QualifiedName = { schema: table.schema, name: table.name };
  const old = table.columns.find((col) => col.name === c.from)!;
  const out = [...dropSyncTriggerStatements(t, c.fn, c.trigger).map((s) => s.replace(' IF EXISTS', ''))];
  if (old.default !== null) out.push(ddl.setDefault(t, c.to, old.default));
  // A serial column owns its sequence: dropping the column would drop the sequence with it.
  if (old.ownedSequence) out.push(ddl.sequenceOwnedBy(old.ownedSequence, t, c.to));
  if (c.generated.length > 0) out.push(...generatedFirst(table, c), ...c.copy.statisticsStatements());
  else {
    out.push(ddl.dropColumn(t, c.from));
    // Statistics objects on the old column went with it: the same ones on the new column.
    out.push(...c.copy.statisticsStatements());
    if (c.notNullCheck) {
      // A validated CHECK (col IS NOT NULL) lets NOT NULL skip its full-table scan (PG 12+). From
      // PG 18 NOT NULL is a named constraint: give it the old column's name, as RENAME COLUMN would.
      out.push(...ddl.setNotNullStatements(t, c.to, { constraintName: ddl.notNullConstraintName(table, c.from) }));
    }
  }
  out.push(...c.copy.adoptStatements(c.constraints));
  return out;
}

/**
 * With virtual generated columns to carry: their SET EXPRESSION needs a table without CHECK
 * constraints and must come before the old column's drop, so the NOT NULL check goes first, the
 * NOT NULL constraint (PG 18: named) under a name of its own until the old column's is free.
 */
function generatedFirst(table: TableInfo, c: ContractInput): string[] {
  const t: QualifiedName = { schema: table.schema, name: table.name };
  const out: string[] = [];
  const finalName = ddl.notNullConstraintName(table, c.from);
  const interim = finalName === undefined ? undefined : generatedName(t.name, c.to, 'zdm_nn');
  if (c.notNullCheck) out.push(...ddl.setNotNullStatements(t, c.to, { constraintName: interim }));
  out.push(...c.generated, ddl.dropColumn(t, c.from));
  if (c.notNullCheck && interim && finalName) out.push(ddl.renameConstraint(t, interim, finalName));
  return out;
}

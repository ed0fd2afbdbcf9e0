import { z } from 'zod';
import type { TableInfo } from '../db/catalog.js';
import { displayName, generatedName, parseColumnName, quoteIdent, type QualifiedName } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { spelledColumn } from './support/common.js';
import * as ddl from './support/ddl.js';
import { checkedExpression, checkedType } from './support/fragments.js';
import {
  compareVia,
  comparesAsText,
  distinctSql,
  dropSyncTriggerStatements,
  syncTriggerStatements,
} from './support/sync-trigger.js';
import { addNotNullChecks, verifyInSync } from './support/steps.js';
import { modelColumn } from './support/model-objects.js';
import type { OperationDefinition, PlanContext, StepBuilder } from './types.js';
import { describeDependents, isPartitionOwn } from './support/dependents.js';
import type { FollowingViews } from './support/dependent-views.js';
import { lockTablesStatements } from './support/lock-order.js';
import { swapsFirst } from './support/matview-copies.js';
import { wholeRowNote } from './support/whole-row.js';
import { transformedViewNotes, transformedViewSteps, transformedViews } from './support/transformed-views.js';
import { lockTreeFirst } from './support/partitions.js';

export const transformColumnSchema = z
  .object({
    op: z.literal('transformColumn'),
    table: objectName,
    /** The existing columns the new ones are computed from. */
    from: z.array(columnName).min(1, 'name at least one existing column'),
    to: z
      .array(
        z
          .object({
            name: columnName,
            type: z.string().min(1),
            /** SQL expression over the table's existing columns (old -> new). */
            up: z.string().min(1),
            /** Default true; false adds NOT NULL the safe way (validated CHECK first). */
            nullable: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1, 'name at least one new column'),
    /** For every `from` column: SQL expression over the new columns (new -> old). */
    down: z.record(z.string(), z.string().min(1)),
    /** Drop the `from` columns at contract (default false: they stay, no longer kept in step). */
    dropOld: z.boolean().optional(),
  })
  .strict();

export type TransformColumn = z.infer<typeof transformColumnSchema>;

/**
 * transformColumn: split, merge or derive columns with user expressions.
 * - expand: add the new columns (nullable, no default) and the dual-write trigger: a row written by
 *   the old version gets the new columns from `up`; a row written by the new version (any new
 *   column non-NULL) gets the old columns from `down` (operations/sync-trigger.ts);
 * - backfill: `up` for every existing row, in the table's one keyset pass;
 * - switch: verify no row is out of step; NOT NULL columns get a NOT VALID CHECK, then VALIDATE;
 * - contract: drop the trigger, SET NOT NULL (no scan: the CHECK proves it), and with `dropOld` drop
 *   the old columns with their indexes and constraints.
 * Views on the old columns read them through the window and `down` over the new columns from contract
 * on (support/transformed-views.ts); materialized views are copied at switch and swapped in at contract.
 * Rollback drops the trigger and the new columns. Expressions that raise errors (a bad cast in
 * `up`) make the writing statement fail, as they would in the application: keep them total.
 */
export const transformColumn: OperationDefinition<TransformColumn> = {
  schema: transformColumnSchema,
  refs: (spec) => ({ tables: [spec.table], types: spec.to.map((t) => t.type) }),
  summary: (spec) =>
    `transform ${spec.table} (${spec.from.join(', ')}) into ` +
    `(${spec.to.map((t) => t.name).join(', ')})${spec.dropOld ? ', dropping the old columns at contract' : ''}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    for (const c of spec.to)
      change.addColumn(table, modelColumn(parseColumnName(c.name), c.type, { notNull: c.nullable === false }));
    if (spec.dropOld) for (const c of spec.from) change.dropColumn(table, spelledColumn(table, c));
  },
  plan(spec, ctx) {
    const r = resolve(spec, ctx);
    const { table, t, from, to, forward } = r;
    const subject = `${displayName(t)}.${from.map(quoteIdent).join('+')}`;
    const fn: QualifiedName = {
      schema: t.schema,
      name: generatedName('zdm_sync', t.name, ...from, 'to', ...to.map((c) => c.name)),
    };
    const steps = ctx.steps('transform_column', subject);
    expandStep(ctx, steps, r, fn);
    ctx.backfill({
      table,
      assignments: forward.map(({ column, expression: e }) => ({ column, expression: e })),
      pending: forward.map((f) => distinctSql(quoteIdent(f.column), f.value, f.via)).join(' OR '),
    });

    verifyInSync(
      steps,
      table,
      forward,
      [...from, ...to.map((c) => c.name)],
      `rows of ${displayName(t)} whose new columns differ from their "up" expressions: ` +
        `the backfill has not covered them`,
    );
    const notNull = to.filter((c) => c.nullable === false).map((c) => c.name);
    addNotNullChecks(ctx, steps, table, notNull);
    transformedViewSteps(ctx, steps, t, r.views);
    contractStep(ctx, steps, spec, r, fn, notNull);
    notes(ctx, spec, r);
  },
};

interface SyncColumn {
  column: string;
  expression: string;
}

/** What plan() resolved and checked: the columns and the trigger's expressions both ways. */
interface Resolved {
  table: TableInfo;
  t: QualifiedName;
  from: string[];
  to: { name: string; nullable?: boolean | undefined }[];
  /**
   * The new columns from `up` (with their types), over the existing columns. `value`: `up` cast to the
   * column's type, what the column holds (`jsonb IS DISTINCT FROM json` does not resolve); `asText`: the
   * type has no = operator (json, xml, point): the trigger compares text forms, the backfill and the
   * verify compare `via` (json as jsonb: a value the new version writes equals `up`'s if only spacing differs).
   */
  forward: (SyncColumn & { type: string; value: string; asText: boolean; via: string | undefined })[];
  /** The old columns from `down`, over all columns. */
  backward: SyncColumn[];
  /** The table's columns with the new ones. */
  all: Set<string>;
  /** Views on the old columns: recreated on `down` at contract (support/transformed-views.ts). */
  views: FollowingViews;
}

/** Every plan-time refusal of transformColumn, in the order they are checked. */
function resolve(spec: TransformColumn, ctx: PlanContext): Resolved {
  const table = ctx.table(spec.table, 'table');
  const t: QualifiedName = { schema: table.schema, name: table.name };
  const existing = new Set(table.columns.map((c) => c.name));
  const from = spec.from.map((name, i) => ctx.column(table, spelledColumn(table, name), `from[${i}]`).name);
  const to = spec.to.map((c, i) => ({ ...c, name: parseColumnName(c.name), field: `to[${i}]` }));
  checkNames(
    ctx,
    t,
    from,
    to.map((c) => c.name),
    existing,
  );
  for (const [i, name] of from.entries()) {
    const col = table.columns.find((c) => c.name === name)!;
    if (col.generated)
      ctx.fail(
        `from[${i}]`,
        `${displayName(t)}.${quoteIdent(name)} is a generated column; the trigger cannot write it`,
      );
  }
  if (spec.dropOld) refuseDropDependents(ctx, table, from);

  const all = new Set([...existing, ...to.map((c) => c.name)]);
  const forward = to.map((c) => {
    const expression = checkedExpression(ctx, `${c.field}.up`, c.up, existing);
    const type = checkedType(ctx, `${c.field}.type`, c.type);
    const oid = ctx.type(c.type, `${c.field}.type`)?.oid ?? 0;
    const [asText, via] = [comparesAsText(ctx.catalog, oid), compareVia(ctx.catalog, oid)];
    return { column: c.name, expression, type, value: `(${expression})::${type}`, asText, via };
  });
  const backward = backwardColumns(spec, ctx, from, all);
  const views = transformedViews(table, from, backward, spec.dropOld === true);
  if (views.refused.length > 0)
    ctx.fail(
      'from',
      `${displayName(t)}.${from.map(quoteIdent).join('/')} is used by ${views.refused.join(', ')}, which zdm ` +
        `cannot move to the new columns: replace it without them or drop it first (a "sql" operation before this ` +
        `one unblocks it)`,
    );
  return { table, t, from, to, forward, backward, all, views };
}

/** contract: drop the trigger, NOT NULL, views recreated on `down` (locked before the table), old columns dropped. */
function contractStep(
  ctx: PlanContext,
  steps: StepBuilder,
  spec: TransformColumn,
  r: Resolved,
  fn: QualifiedName,
  notNull: string[],
): void {
  const { t, from, views } = r;
  const following = [...views.names, ...views.matviews.names];
  const locks = [...views.locks, ...views.matviews.locks];
  steps.sql('contract', {
    description:
      'drop the trigger' +
      (notNull.length ? `, make ${notNull.map(quoteIdent).join(', ')} NOT NULL` : '') +
      (following.length ? `; ${following.join(', ')} recreated on the new columns` : '') +
      (spec.dropOld ? `, drop ${from.map(quoteIdent).join(', ')}` : ''),
    statements: [
      ...swapsFirst(views.matviews, lockTablesStatements([...views.locks, { relation: t, mode: 'ACCESS EXCLUSIVE' }])),
      // DROP TRIGGER alone locks a partitioned table's partitions before the parent: the tree root first.
      ...lockTreeFirst(r.table),
      ...dropSyncTriggerStatements(t, fn, fn.name),
      ...notNull.flatMap((c) => ddl.setNotNullStatements(t, c)),
      ...views.statements,
      ...(spec.dropOld ? from.map((c) => ddl.dropColumn(t, c)) : []),
    ],
    transactional: true,
    // LOCK TABLE and ALTER TABLE recurse: every partition of a partitioned table is locked too.
    impact: ddl.briefLocks([...ddl.treeLocks(r.table, 'ACCESS EXCLUSIVE'), ...locks]),
  });
}

/** `down`: an expression for every `from` column and for nothing else. */
function backwardColumns(spec: TransformColumn, ctx: PlanContext, from: string[], all: Set<string>): SyncColumn[] {
  const down = new Map(Object.entries(spec.down).map(([k, v]) => [parseColumnName(k), v]));
  for (const key of down.keys())
    if (!from.includes(key))
      ctx.fail(
        `down.${key}`,
        `${quoteIdent(key)} is not one of the "from" columns (${from.map(quoteIdent).join(', ')})`,
      );
  const missing = from.filter((c) => !down.has(c));
  if (missing.length > 0)
    ctx.fail(
      'down',
      `give an expression for ${missing.map(quoteIdent).join(', ')}: ` +
        `rows written by the new version must fill the old columns too`,
    );
  return from.map((c) => ({
    column: c,
    expression: checkedExpression(ctx, `down.${c}`, down.get(c)!, all),
  }));
}

function expandStep(ctx: PlanContext, steps: StepBuilder, r: Resolved, fn: QualifiedName): void {
  const { t, from, to, forward, backward } = r;
  steps.sql('expand', {
    description:
      `add ${to.map((c) => quoteIdent(c.name)).join(', ')} to ${displayName(t)} with a trigger keeping them ` +
      `in step with ${from.map(quoteIdent).join(', ')}`,
    statements: [
      ...forward.map((f) => ddl.addColumn(t, f.column, f.type)),
      ...syncTriggerStatements(t, fn, fn.name, { forward, backward }, r.all),
    ],
    transactional: true,
    impact: ddl.treeBriefLock(r.table),
    // DROP TRIGGER alone locks a partitioned table's partitions before the parent (a deadlock with
    // the application's writes, which lock the parent first): the tree is locked root first.
    undo: {
      statements: [
        ...lockTreeFirst(r.table),
        ...dropSyncTriggerStatements(t, fn, fn.name),
        ...forward.map((f) => ddl.dropColumn(t, f.column, { ifExists: true })),
      ],
      transactional: true,
    },
  });
}

function notes(ctx: PlanContext, spec: TransformColumn, r: Resolved): void {
  const from = r.from.map(quoteIdent).join(', ');
  ctx.note({
    phase: 'switch',
    text:
      `after switch, deploy the application version that uses ${r.to.map((c) => quoteIdent(c.name)).join(', ')}; ` +
      `versions using ${from} keep working until contract`,
  });
  ctx.note({
    phase: 'contract',
    text: spec.dropOld
      ? `contract drops ${from}: run it only when no running application version uses them`
      : `after contract ${from} are no longer kept in step with the new columns`,
  });
  transformedViewNotes(ctx, r.views, r.from);
  const added = r.to.map((c) => quoteIdent(c.name)).join(', ');
  wholeRowNote(ctx, r.table, {
    window: `from expand each row also carries ${added} (NULL until the backfill)`,
    after: spec.dropOld
      ? `from contract ${from} are gone, ${added} the row's last fields`
      : `after contract rows keep ${from}, no longer kept in step`,
    backfills: true,
  });
  const users = spec.dropOld ? [] : r.table.dependents.filter((d) => r.from.includes(d.column) && d.kind !== 'view');
  if (users.length > 0)
    ctx.note({
      phase: 'contract',
      text:
        `warning: ${describeDependents(users, r.table)} read(s) ${from}, which after contract no longer follow ` +
        `the new columns (rows the new version writes leave them as they were): recreate them on ` +
        `${r.to.map((c) => quoteIdent(c.name)).join(', ')} in a "sql" operation, or drop them`,
    });
}

function checkNames(ctx: PlanContext, t: QualifiedName, from: string[], to: string[], existing: Set<string>): void {
  from.forEach((c, i) => from.indexOf(c) !== i && ctx.fail(`from[${i}]`, `${quoteIdent(c)} is named twice`));
  to.forEach((c, i) => {
    if (to.indexOf(c) !== i) ctx.fail(`to[${i}].name`, `${quoteIdent(c)} is named twice`);
    if (existing.has(c)) ctx.fail(`to[${i}].name`, `column ${quoteIdent(c)} already exists on table ${displayName(t)}`);
  });
}

function refuseDropDependents(ctx: PlanContext, table: TableInfo, from: string[]): void {
  for (const [i, c] of from.entries()) {
    const inbound = table.referencedBy.filter((fk) => fk.referencedColumns.includes(c));
    if (inbound.length)
      ctx.fail(
        `from[${i}]`,
        `${quoteIdent(c)} is referenced by foreign key ${quoteIdent(inbound[0]!.name)} ` +
          `on ${displayName(inbound[0]!.table)}; "dropOld" cannot drop it`,
      );
    // Views follow (support/transformed-views.ts) or are refused with their reason; a partition's own
    // index or constraint goes with the column.
    const users = table.dependents.filter((d) => d.column === c && d.kind !== 'view' && !isPartitionOwn(d));
    if (users.length)
      ctx.fail(
        `from[${i}]`,
        `${displayName(table)}.${quoteIdent(c)} is used by ${describeDependents(users, table)}; ` +
          `"dropOld" would need CASCADE: ` +
          `change or drop those first (a "sql" operation before this one that drops them unblocks it)`,
      );
  }
}

import { z } from 'zod';
import { tableKey, type ColumnInfo, type TableInfo } from '../db/catalog.js';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import {
  expressionColumns,
  parseTypeName,
  renameInExpression,
  substituteColumn,
  type TypeName,
} from '../sql/expression.js';
import { spelledColumn } from './support/common.js';
import { ColumnCopy } from './support/column-copy.js';
import * as ddl from './support/ddl.js';
import { checkedExpression, checkedType } from './support/fragments.js';
import { namesOf, planShadow, type ShadowUnit } from './support/shadow-column.js';
import { wholeRowNote } from './support/whole-row.js';
import { comparesAsText } from './support/sync-trigger.js';
import { changesWithoutRewrite, conversionCannotFail, integerType } from './support/type-change.js';
import { typeSql } from './support/model-objects.js';
import type { ColumnClaim, OperationDefinition, PlanContext } from './types.js';
import { rowTypeUse } from './support/row-type-users.js';
import { describeDependents } from './support/dependents.js';
import { followsRetype } from './support/retyped-dependents.js';
import { recreatedViews } from './support/retyped-views.js';
import { statisticsExpressionColumns } from '../sql/rewrite.js';

export const changeColumnTypeSchema = z
  .object({
    op: z.literal('changeColumnType'),
    table: objectName,
    column: columnName,
    type: z.string().min(1),
    /** SQL expression computing the new value from the row (the column's name: its old value). Default `column::type`. */
    using: z.string().optional(),
    /** SQL expression computing the old value back (the column's name: its new value). Default `column::old_type`. */
    down: z.string().optional(),
  })
  .strict();

export type ChangeColumnType = z.infer<typeof changeColumnTypeSchema>;

/**
 * changeColumnType. Two strategies:
 * - direct, when Postgres changes the type without rewriting the table or rebuilding indexes
 *   (operations/type-change.ts: varchar widening, to text, numeric precision up, ...), no CHECK
 *   constraint would be re-verified and, on a partitioned table, no index uses the column: one
 *   ALTER COLUMN ... TYPE in expand, a brief ACCESS EXCLUSIVE (on every partition too).
 *   Its rollback narrows the type back, which Postgres does by rewriting the table under ACCESS
 *   EXCLUSIVE (and fails if longer values were written meanwhile): the plan says so.
 * - otherwise a shadow column kept in step by trigger, backfilled, swapped at switch and the old one
 *   dropped at contract (operations/shadow-column.ts). Columns that reference this one by foreign key
 *   (with the same old type) get the same change, so `events.id int -> bigint` also changes
 *   `tickets.event_id`; their foreign keys are re-created NOT VALID and validated, the primary key
 *   moves through ADD CONSTRAINT ... PRIMARY KEY USING INDEX, and a serial or identity sequence
 *   follows the column (widened to the new integer type).
 */
export const changeColumnType: OperationDefinition<ChangeColumnType> = {
  schema: changeColumnTypeSchema,
  refs: (spec) => ({ tables: [spec.table], referencing: [spec.table], types: [spec.type] }),
  summary: (spec) =>
    `change type of ${spec.table}.${spec.column} to ${spec.type}${spec.using ? ` using ${spec.using}` : ''}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    const column = table.columns.find((c) => c.name === spelledColumn(table, spec.column));
    // Merged into an earlier change of the same column (plan() refused any other overlap).
    if (!column || change.claimOf(table, column.name)?.change === 'retype') return;
    const newType = typeSql(spec.type);
    const oldType = typeSql(column.type);
    const direct = changesDirectly(table, column, spec.using, newType);
    change.retypeColumn(table, column.name, newType, !direct);
    if (direct) return;
    for (const fk of table.referencedBy) {
      const k = fk.referencedColumns.indexOf(column.name);
      const child = k < 0 ? undefined : change.catalog.tables.get(tableKey(fk.table));
      const childColumn = child?.columns.find((c) => c.name === fk.columns[k]);
      if (child && childColumn && typeSql(childColumn.type) === oldType)
        change.retypeColumn(child, childColumn.name, newType, true);
    }
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const earlier = ctx.changedBy(table, spelledColumn(table, spec.column));
    if (earlier?.change === 'retype') return mergeInto(ctx, spec, table, earlier);
    const column = ctx.column(table, spelledColumn(table, spec.column), 'column');
    const t: QualifiedName = { schema: table.schema, name: table.name };
    const where = `${displayName(t)}.${quoteIdent(column.name)}`;
    const newType = parseTypeName(checkedType(ctx, 'type', spec.type));
    const oldType = parseTypeName(column.type);
    if (newType.sql === oldType.sql) ctx.fail('type', `${where} already has type ${column.type}`);
    const names = new Set(table.columns.map((c) => c.name));
    const defaultUsing = `${quoteIdent(column.name)}::${newType.sql}`;
    const using = spec.using === undefined ? defaultUsing : checkedExpression(ctx, 'using', spec.using, names);
    const down =
      spec.down === undefined
        ? `${quoteIdent(column.name)}::${oldType.sql}`
        : checkedExpression(ctx, 'down', spec.down, names);
    refuseColumn(ctx, table, column, 'column');

    const plainCast = renameInExpression(using, new Map()) === renameInExpression(defaultUsing, new Map());
    if (changesDirectly(table, column, spec.using === undefined ? undefined : using, newType.sql)) {
      planDirect(ctx, table, column, oldType, newType);
      return;
    }

    if (column.identity && !integerType(newType))
      ctx.fail('type', `${where} is an identity column; its type can only change to smallint, integer or bigint`);
    // A plain widening cast (int -> bigint, anything -> text) cannot fail: no error handling needed.
    const tolerant = !(plainCast && conversionCannotFail(oldType, newType));
    // CREATE STATISTICS refuses a type without a default btree operator class (read with the catalog).
    const unsortable = comparesAsText(ctx.catalog, ctx.type(spec.type, 'type')?.oid ?? 0);
    const units: ShadowUnit[] = [
      unit(ctx, table, column, { newType, using, down, tolerant, unsortable, field: 'column' }),
    ];
    const tables = new Map<string, TableInfo>([[tableKey(table), table]]);
    addReferencingUnits(ctx, table, column, units, tables);
    planShadow(ctx, ctx.steps('change_column_type', where), units, tables);

    notes(ctx, where, units, down);
  },
};

/**
 * The columns that reference the changed one by foreign key change with it (each a unit of its
 * own, `using` and `down` renamed to it); one already of the new type only gets its key re-created.
 */
function addReferencingUnits(
  ctx: PlanContext,
  table: TableInfo,
  column: ColumnInfo,
  units: ShadowUnit[],
  tables: Map<string, TableInfo>,
): void {
  const { newType, using, down, tolerant, unsortable } = units[0]!;
  const where = `${displayName(table)}.${quoteIdent(column.name)}`;
  const oldType = parseTypeName(column.type);
  const onlyColumn = (field: 'using' | 'down', text: string) => {
    const others = [...expressionColumns(text)].filter((c) => c !== column.name);
    if (others.length > 0)
      ctx.fail(
        field,
        `${where} is referenced by foreign keys, so the change is applied to the referencing columns too: ` +
          `"${field}" may only refer to ${quoteIdent(column.name)} (it refers to ${others.map(quoteIdent).join(', ')})`,
      );
  };
  for (const fk of table.referencedBy) {
    const k = fk.referencedColumns.indexOf(column.name);
    if (k < 0) continue;
    const child = ctx.table(quoteQualified(fk.table), 'table');
    tables.set(tableKey(child), child);
    const childColumn = ctx.column(child, fk.columns[k]!, 'table');
    const childType = parseTypeName(childColumn.type).sql;
    if (childType === newType.sql) continue; // already the new type: only its foreign key is re-created
    const childWhere = `${displayName(child)}.${quoteIdent(childColumn.name)}`;
    if (childType !== oldType.sql)
      ctx.fail(
        'type',
        `${where} is referenced by ${childWhere} (foreign key ${quoteIdent(fk.name)}) of type ${childColumn.type}, ` +
          `neither the old nor the new type; change or drop that foreign key first`,
      );
    onlyColumn('using', using);
    onlyColumn('down', down);
    const renames = new Map([[column.name, childColumn.name]]);
    units.push(
      unit(ctx, child, childColumn, {
        newType,
        using: renameInExpression(using, renames),
        down: renameInExpression(down, renames),
        tolerant,
        unsortable,
        field: 'table',
        via: `${childWhere} (foreign key ${quoteIdent(fk.name)})`,
      }),
    );
  }
}

function notes(ctx: PlanContext, where: string, units: ShadowUnit[], down: string): void {
  const newType = units[0]!.newType;
  const also = units.slice(1).map((u) => `${displayName(u.table)}.${quoteIdent(u.column.name)}`);
  if (also.length)
    ctx.note({ phase: 'expand', text: `the referencing column(s) ${also.join(', ')} change to ${newType.sql} too` });
  ctx.note({
    phase: 'switch',
    text:
      `switch swaps the columns: from then on ${where} has type ${newType.sql} for every application version; ` +
      `the old column stays hidden and kept in step with \`${down}\` until contract, so values written before ` +
      `contract must also convert back (contract lifts that)`,
  });
  ctx.note({
    phase: 'contract',
    text: `contract drops the old column(s); ${where} ends as the table's last column (Postgres cannot reorder columns)`,
  });
  for (const u of units) {
    const n = namesOf(u);
    const [c, shadow, hidden] = [u.column.name, n.shadow, n.hidden].map(quoteIdent);
    wholeRowNote(ctx, u.table, {
      window:
        `from expand each row also carries ${shadow} (${newType.sql}, NULL until the backfill); from switch ` +
        `${c} is that ${newType.sql} value and ${hidden} the old one`,
      after: `from contract ${hidden} is gone and ${c} is the row's last field`,
      backfills: true,
    });
  }
}

/**
 * Whether Postgres changes the type in place, without rewriting the table or its indexes and
 * without re-verifying a CHECK constraint: `using` (checked) absent or the plain cast.
 */
function changesDirectly(table: TableInfo, column: ColumnInfo, using: string | undefined, newType: string): boolean {
  const checks = table.constraints.filter((c) => c.type === 'c' && c.columns.includes(column.name));
  if (checks.length > 0) return false;
  // On a partitioned table Postgres rebuilds every partition's index on the column even for these
  // changes (it reuses a plain table's index, not a partitioned one's: seen on 15 and 18), a scan
  // of each partition under ACCESS EXCLUSIVE: the shadow column builds them concurrently instead.
  if (table.relkind === 'p' && table.indexes.some((ix) => ix.columns.includes(column.name))) return false;
  const plain = `${quoteIdent(column.name)}::${newType}`;
  try {
    if (using !== undefined && renameInExpression(using, new Map()) !== renameInExpression(plain, new Map()))
      return false;
    return changesWithoutRewrite(parseTypeName(column.type), parseTypeName(newType));
  } catch {
    return false;
  }
}

/**
 * A second change of a column's type in the file (an explicit change of a referencing column that
 * the primary key's change already makes, or a repeat): merged when it asks for the same type with
 * the default conversion, refused naming both operations otherwise.
 */
function mergeInto(ctx: PlanContext, spec: ChangeColumnType, table: TableInfo, earlier: ColumnClaim): void {
  const where = `${displayName(table)}.${quoteIdent(spelledColumn(table, spec.column))}`;
  const newType = parseTypeName(checkedType(ctx, 'type', spec.type)).sql;
  if (newType !== earlier.detail || spec.using !== undefined || spec.down !== undefined)
    ctx.fail(
      'type',
      `${ctx.describeOp(earlier.op)} already changes ${where} to ${earlier.detail}${newType === earlier.detail ? ' with the default conversion' : ''}, so ${ctx.describeOp(ctx.opIndex)} cannot also change it${newType === earlier.detail ? ' with its own "using"/"down"' : ` to ${newType}`}: keep one change of the column`,
    );
  ctx.note({
    phase: 'expand',
    text: `${ctx.describeOp(ctx.opIndex)} (${where} to ${newType}) is merged into ${ctx.describeOp(earlier.op)}, which already makes that change`,
  });
}

interface UnitInput {
  newType: TypeName;
  using: string;
  down: string;
  tolerant: boolean;
  unsortable?: boolean;
  field: string;
  /** Why this column changes too (a referencing column). */
  via?: string;
}

function unit(ctx: PlanContext, table: TableInfo, column: ColumnInfo, input: UnitInput): ShadowUnit {
  const where = input.via ?? `${displayName(table)}.${quoteIdent(column.name)}`;
  if (input.via) refuseColumn(ctx, table, column, input.field, input.via);
  const draft: ShadowUnit = {
    table,
    column,
    newType: input.newType,
    using: input.using,
    down: input.down,
    tolerant: input.tolerant,
    unsortable: input.unsortable,
    oldUnsortable: comparesAsText(ctx.catalog, column.typeOid),
    convertedDefault: undefined,
  };
  const n = namesOf(draft);
  if (table.relkind === 'p') {
    const what = `${where} cannot change type through a shadow column`;
    const copy = new ColumnCopy(table, new Map([[column.name, n.shadow]]));
    copy.refusePartitioned(ctx, input.field, what, (c) => c, { foreignKeys: true, keys: true });
    copy.keyNotes(ctx);
    if (input.tolerant)
      ctx.fail(
        input.field,
        `${what}: on a partitioned table zdm cannot yet carry a conversion that can fail (its error-catching function takes the table's row type, which differs per partition)`,
      );
  }
  for (const name of [n.shadow, n.hidden])
    if (table.columns.some((c) => c.name === name))
      ctx.fail(
        input.field,
        `${displayName(table)} already has a column ${quoteIdent(name)}, the name zdm uses for the ${name === n.shadow ? 'new' : 'old'} column of ${where}`,
      );
  const sequenceDefault =
    column.identity !== '' || (column.ownedSequence !== null && column.default?.includes('nextval(') === true);
  if (column.default !== null && !sequenceDefault) {
    const others = [...expressionColumns(input.using)].filter((c) => c !== column.name);
    if (others.length > 0)
      ctx.fail(
        'using',
        `${where} has a default (${column.default}), which zdm converts with "using"; "using" refers to other columns (${others.map(quoteIdent).join(', ')}), so drop the default first (dropDefault)`,
      );
    draft.convertedDefault = substituteColumn(input.using, column.name, column.default);
  }
  return draft;
}

function refuseColumn(ctx: PlanContext, table: TableInfo, column: ColumnInfo, field: string, via?: string): void {
  const where = via ?? `${displayName(table)}.${quoteIdent(column.name)}`;
  if (column.generated) ctx.fail(field, `${where} is a generated column; change its expression instead`);
  // Statistics objects and views are recreated at contract; policies, triggers, SQL-standard functions and publications stated again in the
  // swap (shadow-column.ts); the others cannot follow.
  const dependents = table.dependents.filter(
    (d) => d.column === column.name && d.kind !== 'statistics' && d.kind !== 'view' && !followsRetype(table, d),
  );
  const views = recreatedViews([{ table, columns: new Set([column.name]) }]).refused;
  const refused = [...views, ...(dependents.length > 0 ? [describeDependents(dependents, table)] : [])];
  if (refused.length > 0)
    ctx.fail(
      field,
      `${where} is used by ${refused.join(', ')}; change or drop those first (Postgres cannot change the type under them)`,
    );
  const rowType = rowTypeUse(table);
  if (rowType)
    ctx.fail(
      field,
      `${where} cannot change type: ${rowType}. Postgres refuses to change a column's type under it ("cannot ` +
        `alter table ... because column ... uses its row type"), and a shadow column would leave ` +
        `${quoteIdent(column.name)} NULL in the rows stored there once contract drops the old column. Change ` +
        `those columns to another type (or drop them) first, in a "sql" operation before this one or an ` +
        `earlier migration`,
    );
  const expressionStats = (table.statistics ?? []).find((st) =>
    statisticsExpressionColumns(st.definition).has(column.name),
  );
  if (expressionStats)
    ctx.fail(
      field,
      `${where} is used in an expression of statistics object ${displayName(expressionStats)}, which zdm cannot be sure applies to the new type; drop it first and create it again after contract`,
    );
  const exclusion = table.constraints.find((c) => c.type === 'x' && c.columns.includes(column.name));
  if (exclusion)
    ctx.fail(
      field,
      `${where} is part of exclusion constraint ${quoteIdent(exclusion.name)}, which cannot be rebuilt without a blocking lock`,
    );
  if (via && table.referencedBy.some((fk) => fk.referencedColumns.includes(column.name))) {
    ctx.fail(
      field,
      `${where} must change too, but other foreign keys reference it in turn; change those columns first`,
    );
  }
}

function planDirect(
  ctx: PlanContext,
  table: TableInfo,
  column: ColumnInfo,
  oldType: TypeName,
  newType: TypeName,
): void {
  const t: QualifiedName = { schema: table.schema, name: table.name };
  const col = quoteIdent(column.name);
  // Without COLLATE, ALTER ... TYPE resets the collation to the type's default (and rebuilds indexes).
  const collate = column.collation ? ` COLLATE ${column.collation}` : '';
  // Back to the old type is itself catalog-only only when that direction is one of those changes
  // (text <-> unbounded varchar); a narrowing rewrites the table (and every partition) under
  // ACCESS EXCLUSIVE, seen by the trace harness (test/trace/operations.db.test.ts).
  const narrowing = !changesWithoutRewrite(newType, oldType);
  ctx.steps('change_column_type', `${displayName(t)}.${col}`).sql('expand', {
    description: `change ${displayName(t)}.${col} from ${oldType.sql} to ${newType.sql}: Postgres does it without rewriting the table or its indexes (catalog change only)`,
    statements: [ddl.setColumnType(t, column.name, `${newType.sql}${collate}`)],
    // ALTER TABLE without ONLY: every partition of a partitioned table changes too.
    transactional: true,
    impact: ddl.treeBriefLock(table),
    undo: {
      statements: [ddl.setColumnType(t, column.name, `${oldType.sql}${collate}`)],
      transactional: true,
      impact: narrowing ? ddl.rewriteImpact(table) : ddl.treeBriefLock(table),
    },
  });
  if (narrowing)
    ctx.note({
      phase: 'expand',
      text: `rolling back ${displayName(t)}.${col} to ${oldType.sql} is a narrowing: Postgres rewrites the table${table.relkind === 'p' ? ' (every partition)' : ''} under ACCESS EXCLUSIVE to do it, and it fails if wider values were written meanwhile`,
    });
}

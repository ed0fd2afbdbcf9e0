import { tableKey, type TableInfo } from '../../db/catalog.js';
import { displayName, parseColumnName, quoteIdent, quoteQualified } from '../../db/quote.js';
import { expressionColumns, parseExpression, parseTypeName } from '../../sql/expression.js';
import type { ModelChange, PlanContext, StepBuilder } from '../types.js';
import { expressionFunctions, qualified, spelledColumn } from './common.js';
import { describeDependents } from './dependents.js';
import { checkedExpression } from './fragments.js';
import { modelConstraint, modelKey, typeSql } from './model-objects.js';
import { rowKeyColumns } from './row-key.js';
import * as ddl from './ddl.js';
import { addForeignKeyNotValid, type ForeignKey } from './foreign-key.js';
import { lockTablesStatements } from './lock-order.js';
import { validateConstraintStep } from './steps.js';
import type { LockTaken } from '../../plan/types.js';
import { planShadow, namesOf, type ShadowUnit } from './shadow-column.js';
import { rowTypeUse } from './row-type-users.js';
import { followsRetype } from './retyped-dependents.js';

/** The constraint a fixing `up` makes hold: a CHECK expression, UNIQUE over columns, or a foreign key. */
export type FixedConstraint =
  | { kind: 'check'; expression: string }
  | { kind: 'unique'; columns: string[] }
  | { kind: 'foreignKey'; fk: ForeignKey };

export interface FixingConstraint {
  /** The constraint's name (parsed). */
  name: string;
  constraint: FixedConstraint;
  /** Column (as written) -> expression over the row giving a value the constraint accepts. */
  up: Record<string, string>;
  /** Column (as written) -> expression over the row giving the old application's value (default: the new one). */
  down: Record<string, string> | undefined;
}

/**
 * A constraint whose `up` rewrites the values it would reject (addCheck, addUnique), the old
 * application keeping its own values until switch: each `up` column gets a shadow copy of the same
 * type (the shadow-column strategy of changeColumnType, support/shadow-column.ts) computed with
 * `up` by the trigger (old application writes) and the backfill (existing rows). The constraint is
 * built on the copy as one of its own: a CHECK added NOT VALID in expand and VALIDATEd at switch
 * before the swap, a UNIQUE index built CONCURRENTLY in expand and made the constraint at contract.
 * After the swap the column is the constrained copy for every version; until contract a write of
 * it that the constraint would reject gets `up` (so the old application still writes what it did),
 * an accepted one is kept; the old values are kept hidden with `down` for rollback until contract.
 */
export function planFixingConstraint(
  ctx: PlanContext,
  steps: StepBuilder,
  table: TableInfo,
  fix: FixingConstraint,
): void {
  if (Object.keys(fix.up).length === 0) ctx.fail('up', 'name at least one column');
  const rowType = rowTypeUse(table);
  if (rowType)
    ctx.fail(
      'up',
      `"up" puts each of its columns in a copy that takes over the column's name: ${rowType}, whose stored ` +
        `rows would read NULL there once contract drops the original. Fix the rows first (a "sql" operation, ` +
        `or an earlier migration) and add the constraint without "up", or change those columns to another ` +
        `type first`,
    );
  const used = usedColumns(fix.constraint);
  const guard = fixGuard(ctx, table, fix.constraint);
  const units = Object.entries(fix.up).map(([written, text]) => unitOf(ctx, table, fix, used, guard, written, text));
  for (const key of Object.keys(fix.down ?? {}))
    if (!(key in fix.up)) ctx.fail(`down.${key}`, `${quoteIdent(parseColumnName(key))} has no \`up\``);
  const names = new Set(table.columns.map((c) => c.name));
  for (const u of units)
    for (const name of [namesOf(u).shadow, namesOf(u).hidden])
      if (names.has(name))
        ctx.fail(
          `up`,
          `${displayName(table)} already has a column ${quoteIdent(name)}, a name zdm needs for the window`,
        );
  // The new constraint, as if the column had it: the copy machinery builds it on the shadow (a
  // CHECK NOT VALID, a unique index), validates it at switch and names it at contract (there is
  // no original to drop).
  const withConstraint = withNewConstraint(table, fix.name, fix.constraint, [...used]);
  const fk = fix.constraint.kind === 'foreignKey' ? fix.constraint.fk : undefined;
  // A foreign key on the copy is validated at switch, before the swap; pushed first, it runs first.
  if (fk) validateConstraintStep(steps, table, ddl.tempName(fk.name), { referenced: qualified(fk.referenced) });
  planShadow(
    ctx,
    steps,
    units.map((u) => ({ ...u, table: withConstraint })),
    new Map([[tableKey(table), withConstraint]]),
  );
  if (fk) foreignKeyOnCopy(ctx, steps, table, fk, units);
  notes(ctx, table, fix, units);
}

function usedColumns(c: FixedConstraint): Set<string> {
  if (c.kind === 'check') return expressionColumns(c.expression);
  return new Set(c.kind === 'unique' ? c.columns : c.fk.columns);
}

/**
 * The foreign key on the copies: added NOT VALID in expand, right after them (from then on a
 * delete of a referenced row acts on the copy as the key says, so the copy never points at a
 * missing row and the switch verify holds), validated at switch (pushed before the swap), and
 * given its name at contract, once the old column is gone.
 */
function foreignKeyOnCopy(ctx: PlanContext, steps: StepBuilder, table: TableInfo, fk: ForeignKey, units: ShadowUnit[]) {
  const t = qualified(table);
  const shadows = new Map(units.map((u) => [u.column.name, namesOf(u).shadow]));
  const onCopy: ForeignKey = {
    ...fk,
    name: ddl.tempName(fk.name),
    columns: fk.columns.map((c) => shadows.get(c) ?? c),
  };
  const locks: LockTaken[] = [
    { relation: t, mode: 'SHARE ROW EXCLUSIVE' },
    { relation: qualified(fk.referenced), mode: 'SHARE ROW EXCLUSIVE' },
  ];
  steps.sql('expand', {
    description: `add foreign key ${quoteIdent(onCopy.name)} NOT VALID on the copies in ${displayName(t)}`,
    statements: [...lockTablesStatements(locks), addForeignKeyNotValid(t, onCopy)],
    transactional: true,
    impact: { ...ctx.briefLock(t, 'SHARE ROW EXCLUSIVE'), locks },
    undo: { statements: [ddl.dropConstraint(t, onCopy.name, { ifExists: true })], transactional: true },
  });
  steps.sql('contract', {
    description: `name the foreign key ${quoteIdent(fk.name)}`,
    statements: [ddl.renameConstraint(t, onCopy.name, fk.name)],
    transactional: true,
    impact: ctx.briefLock(t),
  });
}

function withNewConstraint(table: TableInfo, name: string, c: FixedConstraint, used: string[]): TableInfo {
  if (c.kind === 'check')
    return {
      ...table,
      constraints: [
        ...table.constraints,
        modelConstraint(name, 'c', used, `CHECK (${c.expression.trim()})`, { validated: false }),
      ],
    };
  // Only the index: the copy builds it on the shadow and adopts it as the constraint at contract.
  if (c.kind === 'unique')
    return { ...table, indexes: [...table.indexes, modelKey(table, name, c.columns, 'u').index] };
  // A foreign key is added on the copy by foreignKeyOnCopy, not re-created by the copy machinery.
  return table;
}

function unitOf(
  ctx: PlanContext,
  table: TableInfo,
  fix: FixingConstraint,
  used: Set<string>,
  guard: (column: string, up: string) => string,
  written: string,
  text: string,
): ShadowUnit {
  const field = `up.${written}`;
  const names = new Set(table.columns.map((c) => c.name));
  const column = ctx.column(table, spelledColumn(table, written), field);
  refuse(ctx, table, column.name, field);
  const earlier = ctx.changedBy(table, column.name);
  // A direct type change (in place at expand, no rewrite) composes: the copy gets the new type.
  if (earlier && !(earlier.change === 'retype' && !earlier.shadow))
    ctx.fail(
      field,
      `${ctx.describeOp(earlier.op)} already changes ${displayName(table)}.${quoteIdent(column.name)} ` +
        `in this migration; \`up\` copies the column as it is before expand: ` +
        `put the ${{ check: 'check', unique: 'unique constraint', foreignKey: 'foreign key' }[fix.constraint.kind]} ` +
        `with \`up\` in a later migration`,
    );
  if (!used.has(column.name))
    ctx.fail(
      field,
      fix.constraint.kind === 'check'
        ? `the check does not use ${quoteIdent(column.name)}: \`up\` rewrites only columns the check reads`
        : `${quoteIdent(column.name)} is not one of the constraint's columns: \`up\` rewrites only those`,
    );
  const up = checkedExpression(ctx, field, text, names);
  requireSameValueEachTime(ctx, field, up);
  const downText = fix.down?.[written];
  return {
    table,
    column,
    newType: parseTypeName(column.type),
    // A foreign key's `up` is for orphans only: it may be a constant (NULL), not a rewrite of every value.
    using: fix.constraint.kind === 'foreignKey' ? guard(column.name, up) : up,
    down: downText === undefined ? quoteIdent(column.name) : checkedExpression(ctx, `down.${written}`, downText, names),
    tolerant: false,
    convertedDefault: column.default !== null && !sequenceDefault(column) ? column.default : undefined,
    fixWrites: guard(column.name, up),
  };
}

/**
 * The switch checks every copied value against `up` computed again, and the backfill finds the
 * rows left to do the same way: `up` must give a row the same value each time.
 */
function requireSameValueEachTime(ctx: PlanContext, field: string, up: string): void {
  // Only what the server says is volatile (a fixture or an unknown name gives no answer).
  const culprit = parseExpression(up).functions.find((f) => ctx.catalog.functions?.get(f) === 'v');
  if (culprit === undefined) return;
  ctx.fail(
    field,
    `${culprit} is volatile: \`up\` must give a row the same value each time, since the switch checks ` +
      `every copied value against it; derive it from the row (its key, for example), or declare a function ` +
      `of yours that does IMMUTABLE or STABLE`,
  );
}

/**
 * From the swap until contract, what a write of `column` gets: `up` when the constraint would
 * reject the value written, else the value itself, so an accepted write (the new application's) is
 * never changed. For UNIQUE, "rejected" is another row (by the row's key) holding the same values.
 */
function fixGuard(ctx: PlanContext, table: TableInfo, c: FixedConstraint): (column: string, up: string) => string {
  if (c.kind === 'check')
    return (column, up) => `CASE WHEN (${c.expression.trim()}) IS FALSE THEN (${up}) ELSE ${quoteIdent(column)} END`;
  if (c.kind === 'foreignKey')
    return (column, up) => `CASE WHEN ${orphan(c.fk)} THEN (${up}) ELSE ${quoteIdent(column)} END`;
  const key = rowKeyColumns(table);
  if (key.includes('ctid'))
    ctx.fail(
      'up',
      `${displayName(table)} has no primary key or unique NOT NULL index: \`up\` on a unique constraint ` +
        `needs one to tell a row from the rows that duplicate it`,
    );
  const other = (cols: string[]) => `(${cols.map((col) => `zdm_other.${quoteIdent(col)}`).join(', ')})`;
  const own = (cols: string[]) => `(${cols.map(quoteIdent).join(', ')})`;
  const duplicate =
    `EXISTS (SELECT 1 FROM ${quoteQualified(table)} zdm_other WHERE ${other(c.columns)} = ${own(c.columns)} ` +
    `AND ${other(key)} IS DISTINCT FROM ${own(key)})`;
  return (column, up) => `CASE WHEN ${duplicate} THEN (${up}) ELSE ${quoteIdent(column)} END`;
}

/**
 * The row's key has no referenced row. The row's columns stay outside the subquery (`IN`), so
 * they mean the row's own even where the referenced table has columns of the same names (a key
 * onto its own table); MATCH SIMPLE exempts a key with a NULL (`IN` gives NULL), MATCH FULL only
 * an all-NULL one.
 */
function orphan(fk: ForeignKey): string {
  const own = `(${fk.columns.map(quoteIdent).join(', ')})`;
  const theirs = fk.referencedColumns.map((col) => `zdm_ref.${quoteIdent(col)}`);
  const missing =
    `${own} IN (SELECT ${theirs.join(', ')} FROM ${quoteQualified(qualified(fk.referenced))} zdm_ref ` +
    `WHERE ${theirs.map((r) => `${r} IS NOT NULL`).join(' AND ')}) IS FALSE`;
  if (fk.match !== 'full' || fk.columns.length === 1) return `(${missing})`;
  const n = fk.columns.length;
  return `(${missing} OR num_nonnulls(${fk.columns.map(quoteIdent).join(', ')}) NOT IN (0, ${n}))`;
}

function notes(ctx: PlanContext, table: TableInfo, fix: FixingConstraint, units: ShadowUnit[]): void {
  const where = units.map((u) => `${displayName(table)}.${quoteIdent(u.column.name)}`).join(', ');
  const kind = fix.constraint.kind;
  const rejected = kind === 'check' ? 'violate' : kind === 'unique' ? 'duplicate other rows under' : 'have no row for';
  const verb = kind === 'check' ? 'violate' : kind === 'unique' ? 'duplicate another row under' : 'have no row for';
  ctx.note({
    phase: 'contract',
    text:
      `from contract on, writes of ${where} that ${rejected} ${quoteIdent(fix.name)} fail: ` +
      `deploy only application versions that write accepted values`,
  });
  ctx.note({
    phase: 'expand',
    text:
      `until switch, the old application writes ${where} unchanged; ` +
      `the copy, which gets ${quoteIdent(fix.name)}, holds \`up\` of what it writes`,
  });
  ctx.note({
    phase: 'switch',
    text:
      `switch swaps the columns: from then on ${where} is the constrained column for every application version, ` +
      `and until contract a write of it that would ${verb} ${quoteIdent(fix.name)} gets \`up\` instead of failing ` +
      `(an accepted value is kept); the old values stay hidden (kept with \`down\`) for rollback`,
  });
}

function sequenceDefault(column: TableInfo['columns'][number]): boolean {
  return column.identity !== '' || (column.ownedSequence !== null && column.default?.includes('nextval(') === true);
}

/** What the shadow copy cannot carry here (changeColumnType refuses the same). */
function refuse(ctx: PlanContext, table: TableInfo, column: string, field: string): void {
  const where = `${displayName(table)}.${quoteIdent(column)}`;
  const col = table.columns.find((c) => c.name === column)!;
  if (col.generated) ctx.fail(field, `${where} is a generated column; \`up\` cannot rewrite it`);
  if (table.relkind === 'p')
    ctx.fail(field, `${where} is on a partitioned table; \`up\` on a constraint is not supported there yet`);
  // Policies, triggers, SQL-standard functions and publications on the column are stated again in the swap (shadow-column.ts).
  const dependents = table.dependents.filter(
    (d) => d.column === column && d.kind !== 'statistics' && !followsRetype(table, d),
  );
  if (dependents.length > 0)
    ctx.fail(
      field,
      `${where} is used by ${describeDependents(dependents, table)}; ` +
        `\`up\` needs a copy of the column, which they would not follow`,
    );
  const exclusion = table.constraints.find((c) => c.type === 'x' && c.columns.includes(column));
  if (exclusion)
    ctx.fail(
      field,
      `${where} is part of exclusion constraint ${quoteIdent(exclusion.name)}, ` +
        `which cannot be rebuilt without a blocking lock`,
    );
  const inbound = table.referencedBy.find((fk) => fk.referencedColumns.includes(column));
  if (inbound)
    ctx.fail(
      field,
      `${where} is referenced by foreign key ${quoteIdent(inbound.name)} on ${displayName(inbound.table)}; ` +
        `\`up\` on a constraint of a referenced column is not supported`,
    );
}

/**
 * In the virtual schema: each column `up` rewrites is a shadow copy (same type), claimed, so another
 * operation on it in the file is merged or refused like a second type change.
 */
export function claimFixedColumns(change: ModelChange, table: TableInfo, up: Record<string, string> | undefined): void {
  for (const written of Object.keys(up ?? {})) {
    const column = table.columns.find((c) => c.name === spelledColumn(table, written));
    if (column) change.retypeColumn(table, column.name, typeSql(column.type), true);
  }
}

/** The functions `up` and `down` call, whose volatility planning needs. */
export function fixingFunctions(spec: { up?: Record<string, string>; down?: Record<string, string> }): string[] {
  return expressionFunctions(...Object.values(spec.up ?? {}), ...Object.values(spec.down ?? {}));
}

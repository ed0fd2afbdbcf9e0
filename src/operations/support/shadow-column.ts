import { tableKey, type ColumnInfo, type ConstraintInfo, type TableInfo } from '../../db/catalog.js';
import {
  displayName,
  generatedName,
  identifierBytes,
  MAX_IDENTIFIER_BYTES,
  quoteIdent,
  quoteLiteral,
  quoteQualified,
  type QualifiedName,
} from '../../db/quote.js';
import type { LockTaken } from '../../plan/types.js';
import { renameInExpression } from '../../sql/expression.js';
import { qualifyColumns, rewriteConstraintDefinition } from '../../sql/rewrite.js';
import * as ddl from './ddl.js';
import { rowKeyColumns } from './row-key.js';
import { validateConstraintStep } from './steps.js';
import { ColumnCopy } from './column-copy.js';
import { defaultMove } from './default-move.js';
import { distinctSql, dropSyncTriggerStatements, syncTriggerStatements, type SyncMapping } from './sync-trigger.js';
import { lockTablesStatements } from './lock-order.js';
import { fillTrigger } from './fill-trigger.js';
import { isPartitioned, lockTreeFirst, renamePartitionConstraints, requireNoForeignPartitions } from './partitions.js';
import { partitionedForeignKeyAdoptSteps, partitionedForeignKeyLeafSteps } from './partitioned-foreign-key.js';
import { retypedDependents, type RetypedDependents } from './retyped-dependents.js';
import { recreatedViews, type RecreatedViews } from './retyped-views.js';
import { matviewCopySteps, matviewNote, swapsFirst } from './matview-copies.js';
import { integerType } from './type-change.js';
import type { StepBuilder, PlanContext } from '../types.js';
import type { TypeName } from '../../sql/expression.js';

/**
 * The shadow-column strategy of changeColumnType, for one column and the columns that reference it
 * by foreign key (each a "unit": the same change on another table).
 *
 * expand    per table, one short transaction: the shadow column (new type, temporary name), the
 *           dual-write trigger (old -> shadow with `using`, shadow -> old with `down`), NOT VALID
 *           copies of the CHECK constraints; then every index on the column rebuilt CONCURRENTLY on
 *           the shadow (the primary key's too, as a unique index).
 * backfill  `using` for every existing row, in the table's keyset pass.
 * switch    verify (conversion failures with a sample of rows, then no row out of step); NOT NULL as
 *           a validated CHECK; foreign keys re-created on the shadow columns NOT VALID, then
 *           VALIDATEd; finally the swap, one short transaction for all tables: the old column takes a
 *           hidden name, the shadow the real one, NOT NULL (proved by the CHECK, no scan), the
 *           default / serial sequence / identity move over, and the trigger turns round (the old
 *           column is now derived from the new one with `down`, for rollback).
 * contract  one short transaction: drop the triggers, the old foreign keys and the old columns (with
 *           the old primary key and indexes); the copies take the original names, the primary key
 *           and unique constraints come back through ADD CONSTRAINT ... USING INDEX.
 * Rollback before contract undoes the swap (moving the default, sequence and identity back) and then
 * the rest. Nothing scans or rewrites a table under ACCESS EXCLUSIVE: only the swap and contract
 * take it, for catalog changes.
 *
 * Until contract the old column is kept in step for rollback, so a value written after the swap
 * must also convert back with `down` (an int8 above 2^31 cannot, while an int4 column still exists).
 */
export interface ShadowUnit {
  table: TableInfo;
  column: ColumnInfo;
  newType: TypeName;
  /** Expression over the table's columns computing the new value (the column's name: the old value). */
  using: string;
  /** Expression over the table's columns computing the old value (the column's name: the new value). */
  down: string;
  /** The conversion can fail on some values: the trigger and the backfill catch errors (see tolerantFunctions). */
  tolerant: boolean;
  /**
   * The new type has no default btree operator class (json, xml, point: TypeFacts.sortable), which
   * CREATE STATISTICS needs: the statistics objects on the column are not recreated (plan warning).
   */
  unsortable?: boolean;
  /** The old type has no default btree operator class either: the old column is compared as text. */
  oldUnsortable?: boolean;
  /** The column's default converted to the new type (plain defaults only). */
  convertedDefault: string | undefined;
  /**
   * From the swap until contract every write of the column gets this expression over the row
   * (addCheck's `up`: both versions then write the checked column, the old one values it rejects).
   */
  fixWrites?: string;
}

interface Names {
  shadow: string;
  hidden: string;
  sync: QualifiedName;
  conv: QualifiedName;
  check: QualifiedName;
  /** PG 18+: NOT NULL constraint name on the new column between swap and contract. */
  notNull: string;
}

export function namesOf(u: ShadowUnit): Names {
  const t = u.table.name;
  const c = u.column.name;
  const at = (name: string) => ({ schema: u.table.schema, name });
  return {
    shadow: generatedName(c, 'zdm_new'),
    hidden: generatedName(c, 'zdm_old'),
    sync: at(generatedName('zdm_sync', t, c, 'type')),
    conv: at(generatedName('zdm_conv', t, c)),
    check: at(generatedName('zdm_check', t, c)),
    notNull: generatedName(t, c, 'zdm_nn'),
  };
}

const q = (t: QualifiedName) => ({ schema: t.schema, name: t.name });

/** A foreign key to re-create: on `table`, where its columns or its referenced columns change. */
interface ForeignKeyCopy {
  table: TableInfo;
  constraint: ConstraintInfo;
  definition: string;
}

export function planShadow(
  ctx: PlanContext,
  steps: StepBuilder,
  units: ShadowUnit[],
  tables: ReadonlyMap<string, TableInfo>,
): void {
  const byTable = new Map<string, ShadowUnit[]>();
  for (const u of units) byTable.set(tableKey(u.table), [...(byTable.get(tableKey(u.table)) ?? []), u]);
  const renamesOf = (table: QualifiedName) =>
    new Map((byTable.get(tableKey(table)) ?? []).map((u) => [u.column.name, namesOf(u).shadow]));
  const pg18 = ctx.catalog.serverVersionNum >= 180000;

  const copies = expandSteps(ctx, steps, byTable, renamesOf);

  for (const u of units) backfill(ctx, u);

  // switch: verify, NOT NULL checks, CHECK and FK validation, then the swap.
  for (const u of units) verifySteps(steps, u);
  notNullSteps(ctx, steps, units);
  for (const { copy, checks } of copies.values()) copy.validateSteps(steps, checks);
  const fks = foreignKeyCopies(tables, renamesOf);
  for (const fk of fks) foreignKeySteps(ctx, steps, fk);
  const changes = [...byTable.values()].map((g) => ({
    table: g[0]!.table,
    columns: new Set(g.map((u) => u.column.name)),
  }));
  const views = recreatedViews(changes);
  const following = retypedDependents(changes);
  const { locks, trees, treeLocks, contractTrees, contractTreeLocks } = lockPlan(byTable, fks);
  steps.sql('switch', {
    description: `swap: ${units.map((u) => `${displayName(u.table)}.${quoteIdent(u.column.name)}`).join(', ')} become the ${units[0]!.newType.sql} column(s); the old ones stay, hidden, kept in step until contract`,
    statements: [
      ...lockTablesStatements(locks),
      ...trees,
      ...units.flatMap((u) => swapStatements(u, pg18)),
      ...following.statements,
      ...views.probes,
    ],
    transactional: true,
    impact: ddl.briefLocks(treeLocks),
    undo: {
      statements: [
        ...lockTablesStatements(locks),
        ...trees,
        ...units.flatMap((u) => swapBackStatements(u)),
        ...following.statements,
      ],
      transactional: true,
    },
  });
  matviewCopySteps(ctx, steps, views.matviews, 'the new column(s)');

  const contractLocks = [
    ...views.locks,
    ...locks,
    ...fks.flatMap((fk) => [
      { relation: q(fk.table), mode: 'ACCESS EXCLUSIVE' as const },
      { relation: fk.constraint.references!.table, mode: 'ACCESS EXCLUSIVE' as const },
    ]),
  ];
  const lost = lostStatistics(units);
  steps.sql('contract', {
    description:
      `drop the old column(s) ` +
      `${units.map((u) => `${displayName(u.table)}.${quoteIdent(namesOf(u).hidden)}`).join(', ')} ` +
      `with their triggers, foreign keys and indexes; the copies take the original names${recreated(views)}`,
    statements: [
      ...swapsFirst(views.matviews, lockTablesStatements(contractLocks)),
      ...contractTrees,
      ...contractStatements(units, copies, fks, pg18, views, lost),
    ],
    transactional: true,
    impact: ddl.briefLocks(uniqueLocks([...views.matviews.locks, ...contractLocks, ...contractTreeLocks])),
  });
  statisticsNote(ctx, copies, lost);
  viewsNote(ctx, views);
  followingNote(ctx, following);
  matviewNote(ctx, views.matviews, 'the new column(s)');
}

/** The tables the swap and the contract lock, in order, and the partition trees among them. */
function lockPlan(byTable: Map<string, ShadowUnit[]>, fks: ForeignKeyCopy[]) {
  // Partitioned tables first: an application statement writing a partitioned referencing table
  // holds its tree from parse to the foreign key check at the statement's end, which then waits for
  // the referenced table; taking that first (as for plain tables) made the swap give way on every
  // attempt under steady writes (seen on 15 and 18), while statements on the referenced table alone
  // end without waiting for the tree.
  const groups = [...byTable.values()].sort((a, b) => +isPartitioned(b[0]!.table) - +isPartitioned(a[0]!.table));
  const locks: LockTaken[] = groups.map((g) => ({ relation: q(g[0]!.table), mode: 'ACCESS EXCLUSIVE' }));
  // A partitioned table's whole tree, after the tables themselves (in the order above).
  const trees = groups.flatMap((g) => lockTreeFirst(g[0]!.table));
  const treeLocks = groups.flatMap((g) => ddl.treeLocks(g[0]!.table, 'ACCESS EXCLUSIVE'));
  // At contract also the trees of partitioned tables whose foreign key alone is re-created (their
  // column already has the new type): the old key is dropped and the new one renamed on each partition.
  const keyOnly = fks.map((fk) => fk.table).filter((t) => isPartitioned(t) && !byTable.has(tableKey(t)));
  return {
    locks,
    trees,
    treeLocks,
    contractTrees: [...trees, ...keyOnly.flatMap((t) => lockTreeFirst(t))],
    contractTreeLocks: [...treeLocks, ...keyOnly.flatMap((t) => ddl.treeLocks(t, 'ACCESS EXCLUSIVE'))],
  };
}

function recreated(views: RecreatedViews): string {
  const names = [...views.names, ...views.matviews.names];
  return names.length ? `; ${names.join(', ')} recreated on the new column(s)` : '';
}

/**
 * Statistics objects (by `schema.name`) on a column whose new type CREATE STATISTICS refuses
 * ("cannot be used in statistics because its type json has no default btree operator class"):
 * the contract would fail recreating them, so they are dropped with the old column, with a warning.
 */
function lostStatistics(units: ShadowUnit[]): Map<string, ShadowUnit> {
  const out = new Map<string, ShadowUnit>();
  for (const u of units.filter((x) => x.unsortable))
    for (const st of u.table.statistics ?? [])
      if (st.columns.includes(u.column.name)) out.set(`${st.schema}.${st.name}`, u);
  return out;
}

type Copies = Map<string, { copy: ColumnCopy; checks: ConstraintInfo[] }>;

/** expand: per table, shadow columns + triggers + CHECK copies; then the index copies. */
function expandSteps(
  ctx: PlanContext,
  steps: StepBuilder,
  byTable: Map<string, ShadowUnit[]>,
  renamesOf: (table: QualifiedName) => Map<string, string>,
): Copies {
  const copies: Copies = new Map();
  for (const group of byTable.values()) {
    const table = group[0]!.table;
    const t = q(table);
    const copy = new ColumnCopy(table, renamesOf(t));
    const tableChecks = copy.constraints('c');
    copies.set(tableKey(t), { copy, checks: tableChecks });
    steps.sql('expand', {
      description: `add ${group.map((u) => `${quoteIdent(namesOf(u).shadow)} ${u.newType.sql}`).join(', ')} to ${displayName(t)}, kept in step with ${group.map((u) => quoteIdent(u.column.name)).join(', ')} by trigger${tableChecks.length ? `, and ${tableChecks.length} NOT VALID CHECK copies` : ''}`,
      statements: [...group.flatMap((u) => addShadowStatements(u)), ...copy.constraintCopies(tableChecks)],
      transactional: true,
      // ALTER TABLE recurses: every partition of a partitioned table is locked too (trace harness).
      impact: ddl.treeBriefLock(table),
      undo: {
        statements: [...lockTreeFirst(table), ...group.flatMap((u) => dropShadowStatements(u))],
        transactional: true,
      },
    });
  }
  for (const { copy } of copies.values())
    copy.indexSteps(steps, (original) => ` like ${original}, on the shadow column(s)`);
  return copies;
}

/** switch: a NOT VALID CHECK (shadow IS NOT NULL) per NOT NULL column, validated without a long lock. */
function notNullSteps(ctx: PlanContext, steps: StepBuilder, units: ShadowUnit[]): void {
  for (const u of units.filter((x) => x.column.notNull)) {
    const t = q(u.table);
    const name = ddl.notNullCheckName(t, namesOf(u).shadow);
    steps.sql('switch', {
      description: `add NOT VALID CHECK (${quoteIdent(namesOf(u).shadow)} IS NOT NULL) on ${displayName(t)}`,
      statements: [ddl.addNotNullCheck(t, namesOf(u).shadow, name)],
      transactional: true,
      impact: ddl.treeBriefLock(u.table),
      undo: { statements: [ddl.dropConstraint(t, name, { ifExists: true })], transactional: true },
    });
    validateConstraintStep(steps, u.table, name, { short: true });
  }
}

/**
 * switch: a foreign key re-created on the new columns NOT VALID, then validated; on a partitioned
 * table partition by partition, then adopted by the parent (partitioned-foreign-key.ts).
 */
function foreignKeySteps(ctx: PlanContext, steps: StepBuilder, fk: ForeignKeyCopy): void {
  const t = q(fk.table);
  const referenced = fk.constraint.references!.table;
  if (isPartitioned(fk.table)) {
    const what = `re-creating foreign key ${quoteIdent(fk.constraint.name)} on the new column(s)`;
    requireNoForeignPartitions(ctx, fk.table, 'table', what);
    const key = { name: ddl.tempName(fk.constraint.name), definition: fk.definition, referenced };
    partitionedForeignKeyLeafSteps(steps, fk.table, key, 'switch');
    partitionedForeignKeyAdoptSteps(steps, fk.table, key);
    return;
  }
  const fkLocks: LockTaken[] = [
    { relation: t, mode: 'SHARE ROW EXCLUSIVE' },
    { relation: referenced, mode: 'SHARE ROW EXCLUSIVE' },
  ];
  steps.sql('switch', {
    description: `re-create foreign key ${quoteIdent(fk.constraint.name)} of ${displayName(t)} on the new columns, NOT VALID`,
    statements: [
      ...lockTablesStatements(fkLocks),
      ddl.addConstraintNotValid(t, ddl.tempName(fk.constraint.name), fk.definition),
    ],
    transactional: true,
    impact: { ...ctx.briefLock(t, 'SHARE ROW EXCLUSIVE'), locks: fkLocks },
    undo: {
      statements: [ddl.dropConstraint(t, ddl.tempName(fk.constraint.name), { ifExists: true })],
      transactional: true,
    },
  });
  validateConstraintStep(steps, fk.table, ddl.tempName(fk.constraint.name), { referenced, short: true });
}

/** The shadow column's share of its table's backfill: `using` for every row. */
function backfill(ctx: PlanContext, u: ShadowUnit): void {
  const n = namesOf(u);
  const value = u.tolerant ? `${quoteQualified(n.conv)}(${quoteIdent(u.table.name)}.*)` : u.using;
  ctx.backfill({
    table: u.table,
    assignments: [{ column: n.shadow, expression: value }],
    // unsortable: a type without a btree class may have no = operator either (json): compared as text.
    pending: distinctSql(quoteIdent(n.shadow), `(${value})`, u.unsortable),
  });
}

/** The views on the old columns: recreated at contract on the new ones. */
function viewsNote(ctx: PlanContext, views: RecreatedViews): void {
  if (views.names.length > 0)
    ctx.note({
      phase: 'contract',
      text: `${views.names.join(', ')}: until contract they read the old column(s) with the old type (kept in step by the trigger); at contract dropped and created again on the new column(s) (same query, output names, options, owner, grants and comments), so their columns take the new type. Each query is compiled on the new column in the swap, so one that does not apply to the new type fails the switch, where rollback is possible`,
    });
}

/** The policies, triggers, functions and publications on the old columns: stated again in the swap, on the new ones. */
function followingNote(ctx: PlanContext, following: RetypedDependents): void {
  if (following.names.length > 0)
    ctx.note({
      phase: 'switch',
      text: `${following.names.join(', ')}: read the old column(s) until the swap, which states them again (policies: same USING and WITH CHECK; triggers: same definition, enabled state and comment; functions: same body, owner and grants; publications: same columns and row filter, so CDC consumers get the new type from the swap) on the new column(s), compiled on the new type there, so one that does not apply to it fails the switch, where rollback is possible; rollback states them again on the old column(s)`,
    });
}

/** The statistics objects on the old columns: recreated at contract on the new ones. */
function statisticsNote(
  ctx: PlanContext,
  copies: Map<string, { copy: ColumnCopy }>,
  lost: ReadonlyMap<string, ShadowUnit>,
): void {
  const stats = [...copies.values()].flatMap(({ copy }) =>
    copy.statistics.filter((st) => !lost.has(`${st.schema}.${st.name}`)).map((st) => displayName(st)),
  );
  for (const [name, u] of lost)
    ctx.note({
      phase: 'contract',
      text:
        `warning: statistics ${name} is dropped with the old column ${displayName(u.table)}.` +
        `${quoteIdent(u.column.name)} and not recreated: its new type ${u.newType.sql} has no default btree ` +
        `operator class, which CREATE STATISTICS needs; create it again without that column if it still helps`,
    });
  if (stats.length > 0)
    ctx.note({
      phase: 'contract',
      text: `statistics ${stats.join(', ')}: until contract on the old column(s); dropped with them and recreated on the new column(s) in the contract step (same name, kinds, comment and target; empty until the next ANALYZE)`,
    });
}

function addShadowStatements(u: ShadowUnit): string[] {
  const n = namesOf(u);
  const t = q(u.table);
  const collatable = ['text', 'varchar', 'bpchar'].includes(u.newType.names[0] ?? '') && u.newType.names.length === 1;
  const out = new ColumnCopy(u.table, new Map([[u.column.name, n.shadow]])).addColumn(
    u.column,
    u.newType.sql,
    collatable,
  );
  if (u.tolerant) out.push(...tolerantFunctions(u, n));
  out.push(...syncTriggerStatements(t, n.sync, n.sync.name, beforeSwap(u), allNames(u)));
  return out;
}

function dropShadowStatements(u: ShadowUnit): string[] {
  const n = namesOf(u);
  const t = q(u.table);
  return [
    ...dropSyncTriggerStatements(t, n.sync, n.sync.name),
    ...(u.tolerant
      ? [
          `DROP FUNCTION IF EXISTS ${quoteQualified(n.conv)}(${quoteQualified(t)})`,
          `DROP FUNCTION IF EXISTS ${quoteQualified(n.check)}(${quoteQualified(t)})`,
        ]
      : []),
    ddl.dropColumn(t, n.shadow, { ifExists: true }),
  ];
}

/**
 * A conversion that can fail (text -> jsonb on 'not json') must not make the old application's
 * writes fail: the trigger and the backfill compute it through `conv`, which gives NULL on error,
 * and the switch verify reports the rows `check` finds failing, with a sample, before anything
 * depends on the new column (NOT NULL comes after that verify).
 */
function tolerantFunctions(u: ShadowUnit, n: Names): string[] {
  const row = quoteQualified(q(u.table));
  const value = qualifyColumns(u.using, new Set(u.table.columns.map((c) => c.name)), 'r');
  return [
    `CREATE OR REPLACE FUNCTION ${quoteQualified(n.conv)}(r ${row}) RETURNS ${u.newType.sql} LANGUAGE plpgsql AS ${quoteLiteral(`BEGIN RETURN ${value}; EXCEPTION WHEN others THEN RETURN NULL; END`)}`,
    `CREATE OR REPLACE FUNCTION ${quoteQualified(n.check)}(r ${row}) RETURNS text LANGUAGE plpgsql AS ${quoteLiteral(`BEGIN PERFORM ${value}; RETURN NULL; EXCEPTION WHEN others THEN RETURN SQLERRM; END`)}`,
  ];
}

function allNames(u: ShadowUnit): Set<string> {
  const n = namesOf(u);
  return new Set([...u.table.columns.map((c) => c.name), n.shadow, n.hidden]);
}

/** Before the swap the shadow is derived (from the old column with `using`), unless written. */
function beforeSwap(u: ShadowUnit): SyncMapping {
  const n = namesOf(u);
  const forward = u.tolerant ? `${quoteQualified(n.conv)}(new)` : u.using;
  return {
    forward: [{ column: n.shadow, expression: forward, asText: u.unsortable }],
    backward: [{ column: u.column.name, expression: renameInExpression(u.down, new Map([[u.column.name, n.shadow]])) }],
  };
}

/** After the swap the new column (real name) is what applications write; the hidden old one is derived with `down`. */
function afterSwap(u: ShadowUnit): SyncMapping {
  const n = namesOf(u);
  return {
    forward: [{ column: n.hidden, expression: u.down, asText: u.oldUnsortable }],
    backward: [
      { column: u.column.name, expression: renameInExpression(u.using, new Map([[u.column.name, n.hidden]])) },
    ],
  };
}

function verifySteps(steps: StepBuilder, u: ShadowUnit): void {
  const n = namesOf(u);
  const t = q(u.table);
  const key = rowKeyColumns(u.table);
  const row = `${quoteIdent(u.table.name)}.*`;
  const impact = ddl.readScanImpact(u.table);
  if (u.tolerant) {
    steps.verify('switch', {
      description: `verify every value of ${displayName(t)}.${quoteIdent(u.column.name)} converts to ${u.newType.sql} with ${u.using}`,
      table: t,
      violation: `${quoteQualified(n.check)}(${row}) IS NOT NULL`,
      sampleColumns: [...new Set([...key, u.column.name])],
      message: `rows of ${displayName(t)} whose ${quoteIdent(u.column.name)} cannot be converted with \`${u.using}\` (their new column stays NULL). See why with: SELECT ${[...key, u.column.name].map(quoteIdent).join(', ')}, ${quoteQualified(n.check)}(${row}) AS error FROM ${quoteQualified(t)} WHERE ${quoteQualified(n.check)}(${row}) IS NOT NULL`,
      impact,
    });
  }
  const value = u.tolerant ? `${quoteQualified(n.conv)}(${row})` : u.using;
  steps.verify('switch', {
    description: `verify no row of ${displayName(t)} has ${quoteIdent(n.shadow)} out of step with ${quoteIdent(u.column.name)}`,
    table: t,
    violation: distinctSql(quoteIdent(n.shadow), `(${value})`, u.unsortable),
    sampleColumns: [...new Set([...key, u.column.name, n.shadow])],
    message: `rows of ${displayName(t)} where ${quoteIdent(n.shadow)} differs from ${u.using}: the backfill has not covered them`,
    impact,
  });
}

function foreignKeyCopies(
  tables: ReadonlyMap<string, TableInfo>,
  renamesOf: (t: QualifiedName) => Map<string, string>,
): ForeignKeyCopy[] {
  const out: ForeignKeyCopy[] = [];
  for (const table of tables.values()) {
    const own = renamesOf(table);
    for (const c of table.constraints) {
      if (c.type !== 'f' || !c.references) continue;
      const theirs = renamesOf(c.references.table);
      if (!c.columns.some((col) => own.has(col)) && !c.references.columns.some((col) => theirs.has(col))) continue;
      out.push({ table, constraint: c, definition: rewriteConstraintDefinition(c.definition, own, theirs) });
    }
  }
  return out;
}

function swapStatements(u: ShadowUnit, pg18: boolean): string[] {
  const n = namesOf(u);
  const t = q(u.table);
  const col = u.column.name;
  const out = [ddl.renameColumn(t, col, n.hidden), ddl.renameColumn(t, n.shadow, col)];
  if (u.column.notNull) {
    // The validated CHECK proves it: no scan (PG 12+). PG 18 names NOT NULL constraints, and the
    // old column's holds the usual name until contract, so this one gets a temporary name.
    const check = ddl.notNullCheckName(t, n.shadow);
    out.push(...ddl.setNotNullStatements(t, col, { constraintName: pg18 ? n.notNull : undefined, check }));
  }
  out.push(...move(u).swap);
  out.push(syncTriggerStatements(t, n.sync, n.sync.name, afterSwap(u), allNames(u))[0]!);
  out.push(...(fixTrigger(u)?.create ?? []));
  return out;
}

/** fixWrites' trigger; its name sorts before the sync trigger's, so the sync trigger sees the fixed value. */
function fixTrigger(u: ShadowUnit) {
  return u.fixWrites === undefined ? undefined : fillTrigger(u.table, u.column.name, u.fixWrites, [], true);
}

function swapBackStatements(u: ShadowUnit): string[] {
  const n = namesOf(u);
  const t = q(u.table);
  const col = u.column.name;
  return [
    ...(fixTrigger(u)?.dropInLockedTree ?? []),
    ...move(u).back,
    ...(u.column.notNull ? [ddl.dropNotNull(t, col)] : []),
    ddl.renameColumn(t, col, n.shadow),
    ddl.renameColumn(t, n.hidden, col),
    syncTriggerStatements(t, n.sync, n.sync.name, beforeSwap(u), allNames(u))[0]!,
  ];
}

function move(u: ShadowUnit) {
  const n = namesOf(u);
  return defaultMove({
    table: q(u.table),
    column: u.column,
    hidden: n.hidden,
    current: u.column.name,
    newInteger: integerType(u.newType),
    convertedDefault: u.convertedDefault,
  });
}

function contractStatements(
  units: ShadowUnit[],
  copies: Map<string, { copy: ColumnCopy; checks: ConstraintInfo[] }>,
  fks: ForeignKeyCopy[],
  pg18: boolean,
  views: RecreatedViews,
  lost: ReadonlyMap<string, ShadowUnit>,
): string[] {
  const out: string[] = [];
  for (const u of units) {
    const n = namesOf(u);
    const t = q(u.table);
    out.push(...dropSyncTriggerStatements(t, n.sync, n.sync.name).map((s) => s.replace(' IF EXISTS', '')));
    out.push(...(fixTrigger(u)?.dropInLockedTree ?? []));
    if (u.tolerant)
      out.push(
        `DROP FUNCTION ${quoteQualified(n.conv)}(${quoteQualified(t)})`,
        `DROP FUNCTION ${quoteQualified(n.check)}(${quoteQualified(t)})`,
      );
  }
  // The old foreign keys first: they depend on the old primary key / unique indexes.
  for (const fk of fks) out.push(ddl.dropConstraint(q(fk.table), fk.constraint.name));
  // Views on an old column go before it and come back last, on the column that now has its name.
  out.push(...views.drops);
  for (const u of units) out.push(ddl.dropColumn(q(u.table), namesOf(u).hidden));
  // Statistics objects on an old column went with it: the same ones, on the column that now has its name.
  for (const { copy } of copies.values()) out.push(...copy.statisticsStatements(new Map(), new Set(lost.keys())));
  for (const u of units) {
    const named = ddl.notNullConstraintName(u.table, u.column.name) ?? defaultNotNullName(u);
    if (pg18 && u.column.notNull && named) out.push(ddl.renameConstraint(q(u.table), namesOf(u).notNull, named));
  }
  for (const { copy, checks } of copies.values()) out.push(...copy.adoptStatements(checks, new Map()));
  for (const fk of fks) {
    const temp = ddl.tempName(fk.constraint.name);
    out.push(ddl.renameConstraint(q(fk.table), temp, fk.constraint.name));
    // Renaming the parent's constraint leaves its partitions' under the temporary name; a plain
    // ALTER ... TYPE gives every partition's the parent's name.
    if (isPartitioned(fk.table)) out.push(renamePartitionConstraints(q(fk.table), temp, fk.constraint.name));
  }
  out.push(...views.creates);
  return out;
}

/**
 * The name Postgres 18 gives a NOT NULL constraint (`<table>_<column>_not_null`), for a column
 * that is NOT NULL only by an earlier operation of the migration (setNotNull before a fixing
 * `up`); a name Postgres would have to shorten is left as zdm's.
 */
function defaultNotNullName(u: ShadowUnit): string | undefined {
  const name = `${u.table.name}_${u.column.name}_not_null`;
  return identifierBytes(name) <= MAX_IDENTIFIER_BYTES ? name : undefined;
}

function uniqueLocks(locks: LockTaken[]): LockTaken[] {
  const seen = new Map<string, LockTaken>();
  for (const l of locks) seen.set(`${tableKey(l.relation)}:${l.mode}`, l);
  return [...seen.values()];
}

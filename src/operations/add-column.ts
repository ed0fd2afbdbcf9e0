import { z } from 'zod';
import type { TableInfo } from '../db/catalog.js';
import { displayName, generatedName, parseColumnName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import type { LockTaken } from '../plan/types.js';
import { expressionVolatility, type ExpressionInfo } from '../sql/expression.js';
import { commentValue } from './support/comment.js';
import {
  expressionFunctions,
  qualified,
  requireFreeName,
  userExpression,
  userType,
  spelledColumn,
} from './support/common.js';
import * as ddl from './support/ddl.js';
import { fillTrigger } from './support/fill-trigger.js';
import { rowTypeUse } from './support/row-type-users.js';
import {
  addForeignKeyNotValid,
  referentialAction,
  requireCompatibleTypes,
  requireReferencedKey,
  validateForeignKey,
  type ForeignKey,
} from './support/foreign-key.js';
import { buildUniqueIndexStep, validateConstraintStep, validateNotNull, verifyStep } from './support/steps.js';
import { isPartitioned } from './support/partitions.js';
import { columnsIn, modelColumn, modelConstraint, modelForeignKey, modelIndex } from './support/model-objects.js';
import type { OperationDefinition, PlanContext, StepBuilder } from './types.js';

export const addColumnSchema = z
  .object({
    op: z.literal('addColumn'),
    table: objectName,
    column: z
      .object({
        name: columnName,
        type: z.string().min(1),
        nullable: z.boolean().optional(),
        /** SQL expression: `'legacy'`, `now()`, `gen_random_uuid()`. */
        default: z.string().optional(),
        /** Boolean SQL expression over the table's columns: `c <> ''`. */
        check: z.string().optional(),
        references: z
          .object({
            table: objectName,
            /** Default: the referenced table's single-column primary key. */
            column: columnName.optional(),
            onDelete: referentialAction.optional(),
            onUpdate: referentialAction.optional(),
          })
          .strict()
          .optional(),
        unique: z.boolean().optional(),
        /** COMMENT ON COLUMN, set with the column at expand. */
        comment: z.string().optional(),
      })
      .strict(),
    /** Value for existing rows (and rows the old application inserts), over the table's columns. */
    up: z.string().optional(),
  })
  .strict();

export type AddColumn = z.infer<typeof addColumnSchema>;

/**
 * addColumn without a table rewrite or a scan under ACCESS EXCLUSIVE:
 * - expand: `ADD COLUMN` nullable, with the default inline only when that is metadata-only
 *   (a non-volatile default, Postgres 11+; NOT NULL too then: no scan, verified). A volatile
 *   default (gen_random_uuid(), clock_timestamp(); now() is STABLE) or an `up` value is instead
 *   set with `SET DEFAULT` for new rows and backfilled into existing ones. With `up` (or a
 *   volatile NOT NULL default) a trigger gives rows the running application writes without the
 *   column that value too. CHECK and FOREIGN KEY are added NOT VALID; UNIQUE through a unique
 *   index built CONCURRENTLY and `ADD CONSTRAINT ... UNIQUE USING INDEX`.
 * - backfill: existing rows get the value in keyset batches.
 * - switch: a sample of violating rows, then VALIDATE (NOT NULL through a validated CHECK).
 * - contract: the trigger goes; NOT NULL is set from the validated check (no scan).
 * Constraint names are the ones Postgres would choose: `<table>_<column>_check|fkey|key`.
 */
export const addColumn: OperationDefinition<AddColumn> = {
  schema: addColumnSchema,
  refs: (spec) => ({
    tables: [spec.table, ...(spec.column.references ? [spec.column.references.table] : [])],
    functions: expressionFunctions(spec.column.default),
    types: [spec.column.type],
  }),
  summary: (spec) =>
    `add column ${spec.table}.${spec.column.name} ${spec.column.type}${spec.column.nullable === false ? ' NOT NULL' : ''}${spec.column.default ? ` DEFAULT ${spec.column.default}` : ''}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    const name = parseColumnName(spec.column.name);
    const col = spec.column;
    change.addColumn(
      table,
      modelColumn(name, col.type, {
        notNull: col.nullable === false,
        default: col.default?.trim() ?? null,
        comment: col.comment ?? null,
      }),
    );
    if (col.check !== undefined) {
      const used = [...columnsIn(col.check)].filter((c) => c === name || table.columns.some((x) => x.name === c));
      change.addConstraint(
        table,
        modelConstraint(generatedName(table.name, name, 'check'), 'c', used, `CHECK (${col.check.trim()})`),
      );
    }
    if (col.unique) {
      const key = generatedName(table.name, name, 'key');
      change.addIndex(
        table,
        modelIndex(table, { name: key, elements: [quoteIdent(name)], columns: [name], unique: true, constraint: key }),
      );
      change.addConstraint(table, modelConstraint(key, 'u', [name], `UNIQUE (${quoteIdent(name)})`, { index: key }));
    }
    if (col.references) {
      const referenced = change.table(col.references.table);
      const target =
        col.references.column !== undefined
          ? spelledColumn(referenced, col.references.column)
          : referenced.primaryKey?.columns[0];
      if (target !== undefined)
        change.addConstraint(
          table,
          modelForeignKey(generatedName(table.name, name, 'fkey'), [name], referenced, [target]),
        );
    }
  },
  plan(spec, ctx) {
    const r = resolve(spec, ctx);
    const { table, name, strategy } = r;
    const steps = ctx.steps('add_column', `${table.schema}.${table.name}.${name}`);
    const fill = strategy.fill ? fillTrigger(table, name, strategy.fill.sql, [name]) : undefined;
    expandSteps(ctx, steps, r, fill);
    // COALESCE: the backfill pass may be shared with other operations on this table, and a value
    // the application wrote meanwhile must stay.
    const col = quoteIdent(name);
    if (strategy.backfill)
      ctx.backfill({
        table,
        assignments: [{ column: name, expression: `COALESCE(${col}, ${strategy.backfill.sql})` }],
        pending: `${col} IS NULL`,
        ...(r.fk ? { keyChecks: [qualified(r.fk.referenced)] } : {}),
      });
    switchSteps(steps, r);
    contractStep(ctx, steps, r, fill);
    const fills = r.def ? r.def.sql : strategy.fill ? strategy.fill.sql : 'NULL';
    ctx.note({
      phase: 'expand',
      text: `the running application keeps working: rows it inserts without ${col} get ${fills}`,
    });
  },
};

/** What plan() resolved from the spec and the catalog: the input of the step builders below. */
interface Resolved {
  spec: AddColumn;
  table: TableInfo;
  name: string;
  type: string;
  def: ExpressionInfo | undefined;
  strategy: Strategy;
  check: ExpressionInfo | undefined;
  fk: ForeignKey | undefined;
  checkName: string;
  uniqueName: string;
}

type FillTrigger = ReturnType<typeof fillTrigger>;

/** Every plan-time refusal of addColumn, in the order they are checked. */
function resolve(spec: AddColumn, ctx: PlanContext): Resolved {
  const table = ctx.table(spec.table, 'table');
  const name = parseColumnName(spec.column.name);
  if (table.columns.some((c) => c.name === name))
    ctx.fail('column.name', `column ${quoteIdent(name)} already exists on table ${displayName(table)}`);
  const type = spec.column.type.trim();
  if (userType(ctx, type, 'column.type').serial) {
    ctx.fail(
      'column.type',
      `"${type}" gives every existing row a sequence value, which rewrites the table under ACCESS EXCLUSIVE; ` +
        `create a sequence first and add an integer column with default nextval('...'), which is backfilled`,
    );
  }
  const { def, strategy } = resolveValue(spec, ctx, table);
  const sameForAll =
    def !== undefined && spec.up === undefined && expressionVolatility(def, ctx.catalog.functions) !== 'v';
  if (spec.column.unique && sameForAll && table.estimatedRows > 1) {
    ctx.fail(
      'column.unique',
      `every existing row of ${displayName(table)} would get the same default ${def!.sql}, which a unique ` +
        `constraint refuses; give \`up\` (a distinct value per row) or a volatile default such as gen_random_uuid()`,
    );
  }
  const check =
    spec.column.check !== undefined ? userExpression(ctx, spec.column.check, 'column.check', table, [name]) : undefined;
  const fk = spec.column.references ? foreignKey(ctx, table, name, type, spec.column.references) : undefined;
  const r: Resolved = {
    spec,
    table,
    name,
    type,
    def,
    strategy,
    check,
    fk,
    checkName: generatedName(table.name, name, 'check'),
    uniqueName: generatedName(table.name, name, 'key'),
  };
  requireFreeNames(ctx, r);
  return r;
}

/** The default and `up` expressions, and the strategy they call for. */
function resolveValue(
  spec: AddColumn,
  ctx: PlanContext,
  table: TableInfo,
): { def: ExpressionInfo | undefined; strategy: Strategy } {
  const def =
    spec.column.default !== undefined ? userExpression(ctx, spec.column.default, 'column.default', table) : undefined;
  if (def && def.columns.size > 0)
    ctx.fail(
      'column.default',
      `${JSON.stringify(spec.column.default)}: a default cannot use columns; ` +
        `give \`up\` to compute existing rows from other columns`,
    );
  const up = spec.up !== undefined ? userExpression(ctx, spec.up, 'up', table) : undefined;
  const notNull = spec.column.nullable === false;
  if (notNull && !def && !up) {
    ctx.fail(
      'column.nullable',
      `a NOT NULL column needs a value for the existing rows and for rows the running application inserts ` +
        `without it: give \`column.default\` or \`up\``,
    );
  }
  // Before Postgres 11 every non-NULL default in ADD COLUMN rewrites the table: backfill them all.
  // Postgres refuses ADD COLUMN with a default on a table whose row type a column uses: SET DEFAULT
  // and the backfill then (row-type-users.ts).
  const rowType = def !== undefined ? rowTypeUse(table) : undefined;
  if (rowType)
    ctx.note({
      phase: 'expand',
      text:
        `${rowType}: Postgres refuses ADD COLUMN with a default there, so the default is set for new rows ` +
        `(SET DEFAULT) and existing rows of ${displayName(table)} are backfilled with it`,
    });
  const volatile =
    def !== undefined &&
    (expressionVolatility(def, ctx.catalog.functions) === 'v' ||
      ctx.catalog.serverVersionNum < 110000 ||
      rowType !== undefined);
  return { def, strategy: chooseStrategy(def, up, volatile, notNull) };
}

/** The constraint names the plan adds must be free; a unique column cannot go on a partitioned table. */
function requireFreeNames(ctx: PlanContext, r: Resolved): void {
  const { spec, table, name } = r;
  if (r.check) requireFreeName(ctx, table, r.checkName, 'column.check');
  if (spec.column.unique) {
    requireFreeName(ctx, table, r.uniqueName, 'column.unique');
    if (isPartitioned(table)) {
      const key = (table.partitioning?.key ?? []).map((k) => (k === null ? 'an expression' : quoteIdent(k)));
      ctx.fail(
        'column.unique',
        `a unique column on partitioned table ${displayName(table)} is not possible: Postgres enforces ` +
          `uniqueness on a partitioned table only when the key contains the partition key (${key.join(', ')}); ` +
          `add the column, then addUnique on it together with the partition key`,
      );
    }
  }
  if (r.strategy.checkNotNull) requireFreeName(ctx, table, ddl.notNullCheckName(table, name), 'column.nullable');
}

/** expand: the column with its default, fill trigger, NOT VALID constraints and comment; then its unique index. */
function expandSteps(ctx: PlanContext, steps: StepBuilder, r: Resolved, fill: FillTrigger | undefined): void {
  const { spec, table, name, type, def, strategy, check, fk } = r;
  const t = qualified(table);
  const where = `${displayName(t)}.${quoteIdent(name)}`;
  const expand = [
    ddl.addColumn(t, name, type, {
      default: strategy.inlineDefault ? def!.sql : undefined,
      notNull: strategy.inlineNotNull,
    }),
  ];
  if (def && !strategy.inlineDefault) expand.push(ddl.setDefault(t, name, def.sql));
  if (fill) expand.push(...fill.create);
  if (strategy.checkNotNull) expand.push(ddl.addNotNullCheck(t, name));
  if (check) expand.push(ddl.addCheckNotValid(t, r.checkName, spec.column.check!.trim()));
  if (fk) expand.push(addForeignKeyNotValid(t, fk));
  if (spec.column.comment !== undefined) expand.push(ddl.commentOnColumn(t, name, commentValue(spec.column.comment)));
  // ADD COLUMN recurses to every partition (ACCESS EXCLUSIVE on each), as does CREATE TRIGGER (SHARE ROW EXCLUSIVE).
  const locks: LockTaken[] = ddl.treeLocks(table, 'ACCESS EXCLUSIVE');
  if (fk) locks.push({ relation: qualified(fk.referenced), mode: 'SHARE ROW EXCLUSIVE' });
  steps.sql('expand', {
    description: expandDescription(r, where, fill),
    statements: expand,
    transactional: true,
    impact: { ...ctx.briefLock(t), locks },
    // Dropping the column drops its constraints and indexes with it.
    undo: { statements: [...(fill?.drop ?? []), ddl.dropColumn(t, name, { ifExists: true })], transactional: true },
  });
  if (spec.column.unique) {
    const key = r.uniqueName;
    buildUniqueIndexStep(steps, table, key, [name], `unique constraint ${quoteIdent(key)}`);
    steps.sql('expand', {
      description: `make index ${quoteIdent(key)} the unique constraint of ${where}`,
      statements: [ddl.constraintUsingIndex(t, key, 'UNIQUE', key)],
      transactional: true,
      impact: ctx.briefLock(t),
      undo: { statements: [ddl.dropConstraint(t, key, { ifExists: true })], transactional: true },
    });
  }
}

function expandDescription(r: Resolved, where: string, fill: FillTrigger | undefined): string {
  const { def, strategy } = r;
  return [
    `add column ${where} ${r.type}`,
    strategy.inlineDefault ? ` with default ${def!.sql} (metadata only: no rewrite)` : '',
    strategy.inlineNotNull ? ' NOT NULL' : '',
    strategy.backfill ? `; existing rows are backfilled with ${strategy.backfill.sql}` : '',
    fill ? ', a trigger filling it in rows written without it' : '',
    r.check || r.fk || strategy.checkNotNull ? ', constraints NOT VALID' : '',
  ].join('');
}

/** switch: NOT NULL's check, the CHECK and the foreign key are verified and validated. */
function switchSteps(steps: StepBuilder, r: Resolved): void {
  const { spec, table, name, strategy, check, fk } = r;
  if (strategy.checkNotNull)
    validateNotNull(steps, table, name, `${strategy.backfill!.sql} gave NULL for them: fix the data or \`up\``);
  if (check) {
    const t = qualified(table);
    verifyStep(
      steps,
      table,
      `(${spec.column.check!.trim()}) IS FALSE`,
      [name, ...check.columns],
      `verify no row of ${displayName(t)} violates ${quoteIdent(r.checkName)}`,
      `rows of ${displayName(t)} that violate CHECK (${spec.column.check!.trim()})`,
    );
    validateConstraintStep(steps, table, r.checkName);
  }
  if (fk) validateForeignKey(steps, table, fk);
}

/** contract: the fill trigger goes; NOT NULL is set from the validated check. */
function contractStep(ctx: PlanContext, steps: StepBuilder, r: Resolved, fill: FillTrigger | undefined): void {
  const { table, name, strategy } = r;
  const t = qualified(table);
  const where = `${displayName(t)}.${quoteIdent(name)}`;
  const contract = [
    ...(fill?.drop ?? []),
    ...(strategy.checkNotNull ? ddl.setNotNullStatements(t, name, { ifExists: true }) : []),
  ];
  if (contract.length === 0) return;
  const parts = [
    fill ? `drop the trigger filling ${where}` : '',
    strategy.checkNotNull ? `SET NOT NULL on ${where} (proved by the validated check: no scan) and drop the check` : '',
  ];
  steps.sql('contract', {
    description: parts.filter((p) => p !== '').join('; '),
    statements: contract,
    transactional: true,
    // The trigger's drop locks the tree first; SET NOT NULL recurses to every partition.
    impact: ddl.treeBriefLock(table),
  });
}

interface Strategy {
  /** The default goes into ADD COLUMN: metadata only, existing rows read it without a rewrite. */
  inlineDefault: boolean;
  /** NOT NULL goes into ADD COLUMN: only with an inline default, where it needs no scan. */
  inlineNotNull: boolean;
  /** The value the backfill writes into existing rows. */
  backfill: ExpressionInfo | undefined;
  /** The value the compatibility trigger writes into rows written without the column. */
  fill: ExpressionInfo | undefined;
  /** NOT NULL through CHECK NOT VALID -> VALIDATE -> SET NOT NULL. */
  checkNotNull: boolean;
}

function chooseStrategy(
  def: ExpressionInfo | undefined,
  up: ExpressionInfo | undefined,
  volatile: boolean,
  notNull: boolean,
): Strategy {
  const inlineDefault = def !== undefined && !volatile && up === undefined;
  const backfill = up ?? (volatile ? def : undefined);
  return {
    inlineDefault,
    inlineNotNull: notNull && inlineDefault,
    backfill,
    // Without a trigger, a NOT NULL check would make the old version's updates of rows the
    // backfill has not reached yet fail; with `up`, old-version inserts get the derived value.
    fill: up ?? (notNull && volatile ? def : undefined),
    checkNotNull: notNull && !inlineDefault,
  };
}

function foreignKey(
  ctx: PlanContext,
  table: TableInfo,
  column: string,
  type: string,
  ref: NonNullable<AddColumn['column']['references']>,
): ForeignKey {
  const referenced = ctx.table(ref.table, 'column.references.table');
  let target: string;
  if (ref.column !== undefined) {
    target = ctx.column(referenced, spelledColumn(referenced, ref.column), 'column.references.column').name;
  } else {
    const pk = referenced.primaryKey;
    if (pk?.columns.length !== 1)
      ctx.fail(
        'column.references.column',
        `${displayName(referenced)} has no single-column primary key: name the referenced column`,
      );
    target = pk!.columns[0]!;
  }
  const fk: ForeignKey = {
    name: generatedName(table.name, column, 'fkey'),
    columns: [column],
    referenced,
    referencedColumns: [target],
    onDelete: ref.onDelete,
    onUpdate: ref.onUpdate,
  };
  requireFreeName(ctx, table, fk.name, 'column.references');
  requireReferencedKey(ctx, fk, 'column.references');
  requireCompatibleTypes(ctx, [ctx.type(type, 'column.type')?.oid], referenced, [target], 'column.references');
  return fk;
}

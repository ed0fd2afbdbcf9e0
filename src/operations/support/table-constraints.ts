import { z } from 'zod';
import type { ConstraintInfo, IndexInfo, TableInfo } from '../../db/catalog.js';
import { displayName, parseColumnName, parseObjectName, quoteIdent, quoteQualified } from '../../db/quote.js';
import { columnName, objectName } from '../../migration/names.js';
import type { LockTaken } from '../../plan/types.js';
import { parseSql } from '../../sql/parser.js';
import { walk, type Node } from '../../sql/rewrite.js';
import type { PlanContext } from '../types.js';
import { spelledColumn } from './common.js';
import { checkedExpression } from './fragments.js';
import {
  foreignKeyOptions,
  foreignKeyTail,
  referentialAction,
  requireCompatibleTypes,
  requireDeferrable,
  requireReferencedKey,
} from './foreign-key.js';
import { columnsIn, modelConstraint, modelForeignKey, modelIndex, modelKey } from './model-objects.js';

/** Named table-level constraints of createTable (`constraints`), pgroll's create_table constraints. */

const columns = z.array(columnName).min(1);
const accessMethod = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'an access method name, e.g. "gist" or "btree"');

export const tableConstraintSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('primaryKey'), name: columnName, columns }).strict(),
  z
    .object({
      type: z.literal('unique'),
      name: columnName,
      columns,
      /** Non-key columns stored in the constraint's index (INCLUDE). */
      include: z.array(columnName).optional(),
    })
    .strict(),
  /** Boolean SQL expression over the table's columns. */
  z.object({ type: z.literal('check'), name: columnName, expression: z.string().min(1) }).strict(),
  z
    .object({
      type: z.literal('foreignKey'),
      name: columnName,
      columns,
      references: z.object({ table: objectName, columns }).strict(),
      onDelete: referentialAction.optional(),
      onUpdate: referentialAction.optional(),
      ...foreignKeyOptions,
    })
    .strict(),
  z
    .object({
      type: z.literal('exclude'),
      name: columnName,
      /** Index access method; default gist, as in SQL. */
      method: accessMethod.optional(),
      /** Each `element WITH operator`, as in SQL: `room WITH =`, `during WITH &&`. */
      elements: z.array(z.string().min(1)).min(1),
      /** Predicate: the constraint covers only rows matching it. */
      where: z.string().optional(),
    })
    .strict(),
]);

export type TableConstraint = z.infer<typeof tableConstraintSchema>;

const list = (names: string[]) => names.map(quoteIdent).join(', ');
const resolved = (table: TableInfo, names: string[]) => names.map((n) => spelledColumn(table, n));

/**
 * The CREATE TABLE clause of each constraint, checked against the new table `self` (its columns;
 * foreign keys against the referenced table, `self` when it references itself). Locks on
 * referenced tables are added to `locks`.
 */
export function constraintClauses(
  ctx: PlanContext,
  self: TableInfo,
  constraints: TableConstraint[],
  locks: LockTaken[],
): string[] {
  const names = constraints.map((c) => parseColumnName(c.name));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    ctx.fail(`constraints[${names.lastIndexOf(twice)}].name`, `constraint ${quoteIdent(twice)} is named twice`);
  if (constraints.filter((c) => c.type === 'primaryKey').length > 1)
    ctx.fail('constraints', 'a table has one primary key');
  return constraints.map(
    (c, i) => `CONSTRAINT ${quoteIdent(names[i]!)} ${clause(ctx, self, c, `constraints[${i}]`, locks)}`,
  );
}

function known(ctx: PlanContext, self: TableInfo, written: string[], field: string): string[] {
  const cols = resolved(self, written);
  cols.forEach((c, i) => ctx.column(self, c, `${field}[${i}]`));
  if (new Set(cols).size !== cols.length) ctx.fail(field, 'a column is listed twice');
  return cols;
}

function clause(ctx: PlanContext, self: TableInfo, c: TableConstraint, field: string, locks: LockTaken[]): string {
  switch (c.type) {
    case 'primaryKey':
      return `PRIMARY KEY (${list(known(ctx, self, c.columns, `${field}.columns`))})`;
    case 'unique': {
      const include = c.include?.length ? ` INCLUDE (${list(known(ctx, self, c.include, `${field}.include`))})` : '';
      return `UNIQUE (${list(known(ctx, self, c.columns, `${field}.columns`))})${include}`;
    }
    case 'check':
      return `CHECK (${checkedExpression(ctx, `${field}.expression`, c.expression, new Set(self.columns.map((col) => col.name)))})`;
    case 'foreignKey':
      return foreignKeyClause(ctx, self, c, field, locks);
    case 'exclude':
      return excludeClause(ctx, self, c, field);
  }
}

function foreignKeyClause(
  ctx: PlanContext,
  self: TableInfo,
  c: Extract<TableConstraint, { type: 'foreignKey' }>,
  field: string,
  locks: LockTaken[],
): string {
  const own = known(ctx, self, c.columns, `${field}.columns`);
  const referenced = isSelf(self, c.references.table)
    ? self
    : ctx.table(c.references.table, `${field}.references.table`);
  const theirs = known(ctx, referenced, c.references.columns, `${field}.references.columns`);
  if (theirs.length !== own.length)
    ctx.fail(
      `${field}.references.columns`,
      `${own.length} columns reference ${theirs.length}; give as many on each side`,
    );
  const fk = { name: c.name, columns: own, referenced, referencedColumns: theirs };
  requireReferencedKey(ctx, fk, `${field}.references.columns`);
  if (referenced !== self) {
    const types = own.map((n) => self.columns.find((col) => col.name === n)?.type);
    requireCompatibleTypes(
      ctx,
      types.map((t) => (t ? ctx.type(t, `${field}.columns`)?.oid : undefined)),
      referenced,
      theirs,
      `${field}.references`,
    );
    locks.push({ relation: { schema: referenced.schema, name: referenced.name }, mode: 'SHARE ROW EXCLUSIVE' });
  }
  requireDeferrable(ctx, c, `${field}.initiallyDeferred`);
  return `FOREIGN KEY (${list(own)}) REFERENCES ${quoteQualified(referenced)} (${list(theirs)})${foreignKeyTail(c)}`;
}

/**
 * EXCLUDE USING method (elements) [WHERE (predicate)]: the elements are SQL, so the clause is
 * parsed and must be exactly one exclusion constraint with one element per entry, on the table's
 * columns; only then is the text put into the CREATE TABLE.
 */
function excludeClause(
  ctx: PlanContext,
  self: TableInfo,
  c: Extract<TableConstraint, { type: 'exclude' }>,
  field: string,
): string {
  const own = new Set(self.columns.map((col) => col.name));
  const where = c.where !== undefined ? ` WHERE (${checkedExpression(ctx, `${field}.where`, c.where, own)})` : '';
  const text = `EXCLUDE USING ${c.method ?? 'gist'} (${c.elements.join(', ')})${where}`;
  let constraint: Node | undefined;
  try {
    const stmts = parseSql(`CREATE TABLE zdm_check (${text})`).stmts ?? [];
    const elts =
      ((stmts[0]?.stmt as { CreateStmt?: Node } | undefined)?.CreateStmt?.tableElts as Node[] | undefined) ?? [];
    constraint = stmts.length === 1 && elts.length === 1 ? (elts[0]!.Constraint as Node | undefined) : undefined;
  } catch {
    constraint = undefined;
  }
  if (constraint?.contype !== 'CONSTR_EXCLUSION' || (constraint.exclusions as Node[]).length !== c.elements.length)
    ctx.fail(`${field}.elements`, 'each element is one `column-or-expression WITH operator`, e.g. "room WITH ="');
  const unknown = [...exclusionColumns(constraint.exclusions)].filter((n) => !own.has(n));
  if (unknown.length > 0)
    ctx.fail(
      `${field}.elements`,
      `${list(unknown)} ${unknown.length === 1 ? 'is not a column' : 'are not columns'} of ${displayName(self)}`,
    );
  return text;
}

function exclusionColumns(exclusions: unknown): Set<string> {
  const names = new Set<string>();
  walk(exclusions, (key, value) => {
    if (key === 'IndexElem' && typeof value.name === 'string') names.add(value.name);
    if (key !== 'ColumnRef') return;
    const fields = value.fields as Node[];
    const last = (fields[fields.length - 1]?.String as { sval?: string } | undefined)?.sval;
    if (last) names.add(last);
  });
  return names;
}

function isSelf(self: TableInfo, written: string): boolean {
  const ref = parseObjectName(written);
  return (ref.schema ?? self.schema) === self.schema && ref.name === self.name;
}

/** The new table with its named constraints (and their indexes), as later operations see it; foreign keys apart. */
export function withConstraints(self: TableInfo, constraints: TableConstraint[]): TableInfo {
  const t = { schema: self.schema, name: self.name };
  const indexes: IndexInfo[] = [];
  const added: ConstraintInfo[] = [];
  let primaryKey = self.primaryKey;
  for (const c of constraints) {
    const name = parseColumnName(c.name);
    if (c.type === 'primaryKey' || c.type === 'unique') {
      const key = modelKey(t, name, resolved(self, c.columns), c.type === 'primaryKey' ? 'p' : 'u');
      const include = c.type === 'unique' ? resolved(self, c.include ?? []) : [];
      indexes.push(
        include.length
          ? modelIndex(t, {
              name,
              elements: key.constraint.columns.map(quoteIdent),
              columns: [...key.constraint.columns, ...include],
              unique: true,
              include,
              constraint: name,
            })
          : key.index,
      );
      added.push(key.constraint);
      if (c.type === 'primaryKey') primaryKey = { name, columns: key.constraint.columns };
    } else if (c.type === 'check') {
      added.push(modelConstraint(name, 'c', [...columnsIn(c.expression)], `CHECK (${c.expression})`));
    } else if (c.type === 'exclude') {
      const cols = [...exclusionColumnsOf(c.elements)];
      indexes.push(
        modelIndex(t, {
          name,
          elements: c.elements,
          columns: cols,
          method: c.method ?? 'gist',
          ...(c.where ? { where: c.where } : {}),
          constraint: name,
        }),
      );
      added.push(
        modelConstraint(name, 'x', cols, `EXCLUDE USING ${c.method ?? 'gist'} (${c.elements.join(', ')})`, {
          index: name,
        }),
      );
    }
  }
  const keyColumns = new Set(primaryKey?.columns ?? []);
  return {
    ...self,
    columns: self.columns.map((col) => (keyColumns.has(col.name) ? { ...col, notNull: true } : col)),
    primaryKey,
    indexes: [...self.indexes, ...indexes],
    constraints: [...self.constraints, ...added],
  };
}

/** The foreign keys among the constraints, as catalog objects (`referenced`: the table each names). */
export function foreignKeys(
  self: TableInfo,
  constraints: TableConstraint[],
  referenced: (written: string) => TableInfo,
): ConstraintInfo[] {
  return constraints.flatMap((c) => {
    if (c.type !== 'foreignKey') return [];
    const target = isSelf(self, c.references.table) ? self : referenced(c.references.table);
    return [
      modelForeignKey(
        parseColumnName(c.name),
        resolved(self, c.columns),
        target,
        resolved(target, c.references.columns),
        foreignKeyTail(c),
      ),
    ];
  });
}

function exclusionColumnsOf(elements: string[]): Set<string> {
  try {
    const stmt = parseSql(`CREATE TABLE zdm_check (EXCLUDE (${elements.join(', ')}))`).stmts?.[0]?.stmt as {
      CreateStmt?: Node;
    };
    return exclusionColumns(((stmt.CreateStmt?.tableElts as Node[])[0]!.Constraint as Node).exclusions);
  } catch {
    return new Set();
  }
}

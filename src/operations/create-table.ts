import { z } from 'zod';
import { tableKey, type ColumnInfo, type ConstraintInfo, type IndexInfo, type TableInfo } from '../db/catalog.js';
import {
  displayName,
  generatedName,
  parseColumnName,
  parseObjectName,
  quoteIdent,
  quoteQualified,
  type QualifiedName,
} from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { modelForeignKey } from './support/model-objects.js';
import type { LockTaken } from '../plan/types.js';
import { parseTypeName } from '../sql/expression.js';
import { commentValue } from './support/comment.js';
import * as ddl from './support/ddl.js';
import { checkedExpression, checkedType } from './support/fragments.js';
import { requireCompatibleTypes } from './support/foreign-key.js';
import type { OperationDefinition, PlanContext } from './types.js';
import { spelledColumn } from './support/common.js';
import { constraintClauses, foreignKeys, tableConstraintSchema, withConstraints } from './support/table-constraints.js';

const ON_DELETE = ['cascade', 'restrict', 'set null', 'set default', 'no action'] as const;

/** A column of a new table. */
const tableColumnSchema = z
  .object({
    name: columnName,
    type: z.string().min(1),
    /** Default true; primary-key columns are always NOT NULL. */
    nullable: z.boolean().optional(),
    /** SQL expression. */
    default: z.string().optional(),
    identity: z.enum(['always', 'by default']).optional(),
    primaryKey: z.boolean().optional(),
    unique: z.boolean().optional(),
    /** SQL condition, e.g. `price > 0`. */
    check: z.string().optional(),
    references: z
      .object({ table: objectName, column: columnName, onDelete: z.enum(ON_DELETE).optional() })
      .strict()
      .optional(),
    /** COMMENT ON COLUMN. */
    comment: z.string().optional(),
  })
  .strict();

export const createTableSchema = z
  .object({
    op: z.literal('createTable'),
    table: objectName,
    columns: z.array(tableColumnSchema).min(1, 'a table needs at least one column'),
    /** COMMENT ON TABLE. */
    comment: z.string().optional(),
    /** Named table-level constraints: primaryKey, unique (with include), check, foreignKey, exclude. */
    constraints: z.array(tableConstraintSchema).optional(),
  })
  .strict();

export type CreateTable = z.infer<typeof createTableSchema>;
type Column = z.infer<typeof tableColumnSchema>;

/**
 * createTable, in expand: nothing uses a new table yet, so a plain CREATE TABLE is safe; its only
 * lock on existing tables is SHARE ROW EXCLUSIVE on the tables its foreign keys reference, for a
 * moment. Later operations of the same migration see the table (its apply()), e.g. a
 * createIndex on it. Rollback drops it.
 */
export const createTable: OperationDefinition<CreateTable> = {
  schema: createTableSchema,
  refs: (spec) => ({
    tables: [
      spec.table,
      ...spec.columns.flatMap((c) => (c.references ? [c.references.table] : [])),
      ...(spec.constraints ?? []).flatMap((c) => (c.type === 'foreignKey' ? [c.references.table] : [])),
    ],
    types: spec.columns.map((c) => c.type),
  }),
  summary: (spec) => `create table ${spec.table} (${spec.columns.map((c) => c.name).join(', ')})`,
  apply(spec, change) {
    const ref = parseObjectName(spec.table);
    const t: QualifiedName = { schema: ref.schema ?? change.catalog.defaultSchema, name: ref.name };
    const names = spec.columns.map((c) => parseColumnName(c.name));
    const self = withConstraints(
      declaredTable(
        t,
        spec.columns,
        names,
        names.filter((_, i) => spec.columns[i]!.primaryKey),
      ),
      spec.constraints ?? [],
    );
    change.addTable(self);
    for (const fk of foreignKeys(self, spec.constraints ?? [], (name) => change.table(name)))
      change.addConstraint(t, fk);
    spec.columns.forEach((c, i) => {
      if (!c.references) return;
      const r = parseObjectName(c.references.table);
      const isSelf = (r.schema ?? t.schema) === t.schema && r.name === t.name;
      const target = isSelf ? undefined : change.table(c.references.table);
      const fk = modelForeignKey(generatedName(t.name, names[i]!, 'fkey'), [names[i]!], target ?? t, [
        target ? spelledColumn(target, c.references.column) : parseColumnName(c.references.column),
      ]);
      change.addConstraint(t, fk);
    });
  },
  plan(spec, ctx) {
    const ref = parseObjectName(spec.table);
    const t: QualifiedName = { schema: ref.schema ?? ctx.catalog.defaultSchema, name: ref.name };
    const existing = ref.schema === undefined ? ctx.catalog.resolved.get(ref.name) : t;
    if (existing && existing.schema === t.schema && ctx.catalog.tables.has(tableKey(t)))
      ctx.fail('table', `${displayName(t)} already exists`);

    const names = spec.columns.map((c) => parseColumnName(c.name));
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined)
      ctx.fail(`columns[${names.lastIndexOf(duplicate)}].name`, `column ${quoteIdent(duplicate)} is given twice`);
    const pk = names.filter((_, i) => spec.columns[i]!.primaryKey);
    const locks: LockTaken[] = [{ relation: t, mode: 'ACCESS EXCLUSIVE' }];
    const constraints = spec.constraints ?? [];
    if (pk.length > 0 && constraints.some((c) => c.type === 'primaryKey'))
      ctx.fail('constraints', 'the primary key is given twice: by "primaryKey" on columns and in "constraints"');
    const self = withConstraints(declaredTable(t, spec.columns, names, pk), constraints);
    const definitions = spec.columns.map((c, i) => columnDefinition(ctx, c, i, self, locks));
    if (pk.length > 0) definitions.push(`PRIMARY KEY (${pk.map(quoteIdent).join(', ')})`);
    definitions.push(...constraintClauses(ctx, self, constraints, locks));

    ctx.steps('create_table', displayName(t)).sql('expand', {
      description: `create table ${displayName(t)}`,
      statements: [ddl.createTable(t, definitions), ...comments(t, spec, names)],
      transactional: true,
      impact: { locks, lockDuration: 'brief', rewritesTable: false, scansTable: false, estimatedRows: 0 },
      undo: { statements: [ddl.dropTable(t, { ifExists: true })], transactional: true },
    });
    if (!self.primaryKey)
      ctx.note({
        phase: 'expand',
        text:
          `${displayName(t)} has no primary key: later zdm backfills of it walk a unique index ` +
          `on NOT NULL columns, else its rows by physical position (ctid)`,
      });
  },
};

/** COMMENT ON the new table and its columns, in the CREATE TABLE's transaction. */
function comments(t: QualifiedName, spec: CreateTable, names: string[]): string[] {
  return [
    ...(spec.comment !== undefined ? [ddl.commentOnTable(t, commentValue(spec.comment))] : []),
    ...spec.columns.flatMap((c, i) =>
      c.comment !== undefined ? [ddl.commentOnColumn(t, names[i]!, commentValue(c.comment))] : [],
    ),
  ];
}

function columnDefinition(ctx: PlanContext, c: Column, i: number, self: TableInfo, locks: LockTaken[]): string {
  const field = `columns[${i}]`;
  const columns = new Set(self.columns.map((col) => col.name));
  const parts = [quoteIdent(parseColumnName(c.name)), checkedType(ctx, `${field}.type`, c.type)];
  if (c.nullable === false || c.primaryKey) parts.push('NOT NULL');
  if (c.nullable === true && c.primaryKey) ctx.fail(`${field}.nullable`, 'a primary-key column cannot be nullable');
  if (c.default !== undefined && c.identity)
    ctx.fail(`${field}.default`, 'an identity column cannot also have a default');
  if (c.default !== undefined)
    parts.push(`DEFAULT ${checkedExpression(ctx, `${field}.default`, c.default, new Set())}`);
  if (c.identity) parts.push(`GENERATED ${c.identity.toUpperCase()} AS IDENTITY`);
  if (c.unique) parts.push('UNIQUE');
  if (c.check !== undefined) parts.push(`CHECK (${checkedExpression(ctx, `${field}.check`, c.check, columns)})`);
  if (c.references) {
    const ref = parseObjectName(c.references.table);
    const isSelf = (ref.schema ?? self.schema) === self.schema && ref.name === self.name;
    const target = isSelf ? self : ctx.table(c.references.table, `${field}.references.table`);
    const refColumn = spelledColumn(target, c.references.column);
    ctx.column(target, refColumn, `${field}.references.column`);
    if (!isSelf)
      requireCompatibleTypes(ctx, [ctx.type(c.type, `${field}.type`)?.oid], target, [refColumn], `${field}.references`);
    if (!isUniqueKey(target, refColumn))
      ctx.fail(
        `${field}.references.column`,
        `${displayName(target)}.${quoteIdent(refColumn)} has no primary key or unique constraint of ` +
          `its own, which a foreign key needs`,
      );
    if (!isSelf) locks.push({ relation: { schema: target.schema, name: target.name }, mode: 'SHARE ROW EXCLUSIVE' });
    const onDelete = c.references.onDelete ? ` ON DELETE ${c.references.onDelete.toUpperCase()}` : '';
    parts.push(`REFERENCES ${quoteQualified(target)} (${quoteIdent(refColumn)})${onDelete}`);
  }
  return parts.join(' ');
}

function isUniqueKey(table: TableInfo, column: string): boolean {
  if (table.primaryKey?.columns.length === 1 && table.primaryKey.columns[0] === column) return true;
  // A plain unique index on exactly this column: not partial, not on an expression.
  return table.indexes.some(
    (ix) =>
      ix.unique && ix.valid && ix.definition.endsWith(`(${quoteIdent(column)})`) && !/\sWHERE\s/i.test(ix.definition),
  );
}

/** What later operations of the migration see of the new table. */
function declaredTable(t: QualifiedName, columns: Column[], names: string[], pk: string[]): TableInfo {
  const cols: ColumnInfo[] = columns.map((c, i) => ({
    name: names[i]!,
    attnum: i + 1,
    type: parseTypeName(c.type).sql,
    typeOid: 0,
    notNull: c.nullable === false || c.primaryKey === true || c.identity !== undefined,
    default: c.default ?? null,
    identity: c.identity === 'always' ? 'a' : c.identity === 'by default' ? 'd' : '',
    generated: '',
    collation: null,
    comment: c.comment ?? null,
    ownedSequence: null,
  }));
  const uniques = names.filter((_, i) => columns[i]!.unique);
  const index = (name: string, cols_: string[], primary: boolean): IndexInfo => ({
    name,
    schema: t.schema,
    definition:
      `CREATE UNIQUE INDEX ${quoteIdent(name)} ON ${quoteQualified(t)} ` +
      `USING btree (${cols_.map(quoteIdent).join(', ')})`,
    unique: true,
    primary,
    valid: true,
    columns: [...cols_].sort(),
    constraint: name,
  });
  const indexes = [
    ...(pk.length ? [index(`${t.name}_pkey`, pk, true)] : []),
    ...uniques.map((u) => index(`${t.name}_${u}_key`, [u], false)),
  ];
  const constraints: ConstraintInfo[] = indexes.map((ix) => ({
    name: ix.name,
    type: ix.primary ? 'p' : 'u',
    definition: '',
    validated: true,
    columns: ix.columns,
    references: null,
    index: ix.name,
  }));
  return {
    oid: 0,
    schema: t.schema,
    name: t.name,
    relkind: 'r',
    estimatedRows: 0,
    sizeBytes: 0,
    columns: cols,
    primaryKey: pk.length ? { name: `${t.name}_pkey`, columns: pk } : null,
    indexes,
    constraints,
    referencedBy: [],
    dependents: [],
    triggers: [],
  };
}

import { z } from 'zod';
import type { TableInfo } from '../db/catalog.js';
import { displayName, parseColumnName, quoteIdent, quoteQualified } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { parseSql } from '../sql/parser.js';
import { walk, type Node } from '../sql/rewrite.js';
import { qualified, requireFreeName, userExpression, spelledColumn } from './support/common.js';
import { buildIndexStep } from './support/steps.js';
import { storageParametersClause, storageParametersSchema } from './support/storage-parameters.js';
import { partitionedIndexSteps } from './support/partitioned-index.js';
import { isPartitioned, requireKeyCoversPartitionKey, requireNoForeignPartitions } from './support/partitions.js';
import { columnsIn, modelIndex } from './support/model-objects.js';
import type { OperationDefinition, PlanContext } from './types.js';

export const createIndexSchema = z
  .object({
    op: z.literal('createIndex'),
    table: objectName,
    /** Index name; the index lives in the table's schema. */
    name: columnName,
    /** Column names or index expressions, each as in SQL: `email`, `lower(email)`, `created_at DESC`, `(a + b)`. */
    columns: z.array(z.string().min(1)).min(1),
    unique: z.boolean().optional(),
    /** Predicate of a partial index: `deleted_at IS NULL`. */
    where: z.string().optional(),
    /** Access method: btree (default), hash, gist, gin, spgist, brin, or an installed one. */
    method: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'an access method name, e.g. "btree" or "gin"')
      .optional(),
    /** Non-key columns stored in the index (INCLUDE). */
    include: z.array(columnName).optional(),
    /** Storage parameters (WITH): `{"fillfactor": 70}`. */
    storageParameters: storageParametersSchema.optional(),
  })
  .strict();

export type CreateIndex = z.infer<typeof createIndexSchema>;

/**
 * createIndex: `CREATE INDEX CONCURRENTLY` outside a transaction at expand (SHARE UPDATE
 * EXCLUSIVE: reads and writes continue; the executor drops and rebuilds an INVALID leftover of
 * a failed build). `IF NOT EXISTS` makes a re-run after a crash harmless. Rollback drops it
 * CONCURRENTLY.
 */
export const createIndex: OperationDefinition<CreateIndex> = {
  schema: createIndexSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) =>
    `create ${spec.unique ? 'unique ' : ''}index ${spec.name} on ${spec.table} ` +
    `(${spec.columns.join(', ')})${spec.where ? ` where ${spec.where}` : ''}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    const elements = spec.columns.map((text) => {
      const column = plainColumn(text);
      return column !== undefined ? quoteIdent(column) : text.trim();
    });
    const include = (spec.include ?? []).map((c) => spelledColumn(table, c));
    const used = [
      ...spec.columns.flatMap((text) => {
        const column = plainColumn(text);
        return column !== undefined
          ? [column]
          : [...columnsIn(text.replace(/\s+(ASC|DESC)?(\s+NULLS\s+(FIRST|LAST))?\s*$/i, ''))];
      }),
      ...include,
      ...(spec.where !== undefined ? columnsIn(spec.where) : []),
    ];
    const name = parseColumnName(spec.name);
    change.addIndex(
      table,
      modelIndex(table, {
        name,
        elements,
        columns: used.filter((c) => table.columns.some((col) => col.name === c)),
        ...(spec.unique ? { unique: true } : {}),
        ...(spec.method ? { method: spec.method } : {}),
        include,
        ...(spec.where !== undefined ? { where: spec.where.trim() } : {}),
      }),
    );
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const name = parseColumnName(spec.name);
    // An INVALID index of that name is the leftover of a failed build: the executor drops and rebuilds it.
    const leftover = table.indexes.find((ix) => ix.name === name && !ix.valid && !ix.constraint);
    if (!leftover) requireFreeName(ctx, table, name, 'name');
    if (spec.unique && spec.method && spec.method !== 'btree')
      ctx.fail('method', `only btree indexes can be unique (method "${spec.method}")`);
    const elements = spec.columns.map((text, i) => indexElement(ctx, table, text, `columns[${i}]`));
    const include = (spec.include ?? []).map((c, i) =>
      quoteIdent(ctx.column(table, spelledColumn(table, c), `include[${i}]`).name),
    );
    if (spec.where !== undefined) userExpression(ctx, spec.where, 'where', table);
    const tail =
      `${spec.method ? ` USING ${quoteIdent(spec.method)}` : ''} (${elements.join(', ')})` +
      `${include.length ? ` INCLUDE (${include.join(', ')})` : ''}` +
      storageParametersClause(ctx, spec.method ?? 'btree', spec.storageParameters, 'storageParameters') +
      `${spec.where !== undefined ? ` WHERE ${spec.where.trim()}` : ''}`;
    const statement =
      `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT ` +
      `EXISTS ${quoteIdent(name)} ON ${quoteQualified(qualified(table))}${tail}`;
    requireOneIndex(ctx, statement, elements.length, spec.where !== undefined);
    const steps = ctx.steps('create_index', `${table.schema}.${name}`);
    if (isPartitioned(table)) {
      requireNoForeignPartitions(ctx, table, 'table', 'an index');
      if (spec.unique) requireKeyCoversPartitionKey(ctx, table, keyColumns(statement), 'columns', 'a unique index');
      partitionedIndexSteps(steps, table, { name, unique: spec.unique ?? false, tail });
    } else {
      buildIndexStep(
        steps,
        table,
        name,
        statement,
        `build ${spec.unique ? 'unique ' : ''}index ${quoteIdent(name)} on ${displayName(table)} concurrently`,
      );
    }
    if (leftover)
      ctx.note({
        phase: 'expand',
        text: isPartitioned(table)
          ? `index ${quoteIdent(name)} exists but is INVALID (not yet on every partition): ` +
            `the partitions' indexes are built and attached`
          : `index ${quoteIdent(name)} exists but is INVALID (a failed build): it is dropped and built again`,
      });
    if (spec.unique)
      ctx.note({
        phase: 'expand',
        text: `from expand on, writes that duplicate a key of ${quoteIdent(name)} fail, from both application versions`,
      });
  },
};

/** The plain columns among the key's elements (expressions left out), read from the statement's parse tree. */
function keyColumns(statement: string): string[] {
  const stmt = parseSql(statement).stmts?.[0]?.stmt as { IndexStmt?: Node } | undefined;
  const params = (stmt?.IndexStmt?.indexParams ?? []) as Node[];
  return params.map((p) => (p.IndexElem as Node).name as string | undefined).filter((n) => n !== undefined);
}

function plainColumn(text: string): string | undefined {
  try {
    return parseColumnName(text);
  } catch {
    return undefined;
  }
}

/**
 * One element of the index: a column (quoted as needed) or an expression exactly as written, checked
 * on the parse tree.
 */
function indexElement(ctx: PlanContext, table: TableInfo, text: string, field: string): string {
  const column = plainColumn(text);
  if (column !== undefined) return quoteIdent(ctx.column(table, column, field).name);
  let tree;
  try {
    tree = parseSql(`CREATE INDEX zdm_placeholder ON zdm_placeholder (${text.trim()})`);
  } catch (err) {
    return ctx.fail(
      field,
      `${JSON.stringify(text)} is not a column or index expression (${(err as Error).message}); ` +
        `write expressions as in SQL: "lower(email)", "(a + b)", "created_at DESC"`,
    );
  }
  const index = (tree.stmts?.length === 1 ? tree.stmts[0]!.stmt : undefined) as { IndexStmt?: Node } | undefined;
  if ((index?.IndexStmt?.indexParams as Node[] | undefined)?.length !== 1)
    ctx.fail(field, `${JSON.stringify(text)} must be one column or expression`);
  const known = new Set(table.columns.map((c) => c.name));
  const missing = new Set<string>();
  walk(tree, (key, node) => {
    const name =
      key === 'IndexElem' ? (node.name as string | undefined) : key === 'ColumnRef' ? lastField(node) : undefined;
    if (name !== undefined && !known.has(name)) missing.add(name);
  });
  if (missing.size > 0)
    ctx.fail(
      field,
      `${JSON.stringify(text)} uses ${[...missing].map((c) => `column ${quoteIdent(c)}`).join(', ')}, ` +
        `which table ${displayName(table)} does not have`,
    );
  return text.trim();
}

function lastField(columnRef: Node): string | undefined {
  const fields = columnRef.fields as Node[];
  return (fields[fields.length - 1]?.String as { sval?: string } | undefined)?.sval;
}

/** The assembled statement must parse as one CREATE INDEX with exactly the elements and predicate given. */
function requireOneIndex(ctx: PlanContext, statement: string, elements: number, partial: boolean): void {
  let index: Node | undefined;
  try {
    const tree = parseSql(statement);
    index =
      tree.stmts?.length === 1 ? ((tree.stmts[0]!.stmt as { IndexStmt?: Node }).IndexStmt ?? undefined) : undefined;
  } catch (err) {
    ctx.fail(undefined, `the index definition does not parse: ${(err as Error).message}`);
  }
  if (!index || (index.indexParams as Node[]).length !== elements || Boolean(index.whereClause) !== partial) {
    ctx.fail(
      undefined,
      'the columns and where clause must form one index definition; write each expression as one list item',
    );
  }
}

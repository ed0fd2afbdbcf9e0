import { z } from 'zod';
import type { ColumnInfo } from '../db/catalog.js';
import { displayName, generatedName, parseColumnName, quoteIdent, type QualifiedName } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { qualified, requireFreeName, userColumns, spelledColumn } from './support/common.js';
import * as ddl from './support/ddl.js';
import { buildUniqueIndexStep, validateNotNull } from './support/steps.js';
import {
  briefLocksOn,
  isPartitioned,
  partitionsOf,
  requireKeyCoversPartitionKey,
  requireNoForeignPartitions,
} from './support/partitions.js';
import { partitionedKeyIndexSteps, partitionedKeyStatements } from './support/partitioned-key.js';
import type { OperationDefinition, PlanContext } from './types.js';
import { modelKey } from './support/model-objects.js';

export const addPrimaryKeySchema = z
  .object({
    op: z.literal('addPrimaryKey'),
    table: objectName,
    columns: z.array(columnName).min(1),
    /** Constraint (and index) name; default `<table>_pkey`, as Postgres names it. */
    name: columnName.optional(),
  })
  .strict();

export type AddPrimaryKey = z.infer<typeof addPrimaryKeySchema>;

/**
 * addPrimaryKey: `ADD PRIMARY KEY` builds its index under ACCESS EXCLUSIVE and, on nullable
 * columns, also scans for NULLs (`USING INDEX` silently does `SET NOT NULL` with a scan too). So:
 * - expand: `CHECK (c IS NOT NULL) NOT VALID` on each nullable key column, and the unique index
 *   built CONCURRENTLY;
 * - switch: rows with NULL reported (a sample), the checks VALIDATEd, then in one brief
 *   transaction `SET NOT NULL` (proved by the checks, no scan), `ADD CONSTRAINT ... PRIMARY KEY
 *   USING INDEX`, and the checks dropped. Rollback after switch drops the key and NOT NULL again.
 */
export const addPrimaryKey: OperationDefinition<AddPrimaryKey> = {
  schema: addPrimaryKeySchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `add primary key on ${spec.table} (${spec.columns.join(', ')})`,
  apply(spec, change) {
    const table = change.table(spec.table);
    const name = spec.name !== undefined ? parseColumnName(spec.name) : generatedName(table.name, 'pkey');
    const columns = spec.columns.map((c) => spelledColumn(table, c));
    const key = modelKey(table, name, columns, 'p');
    change.addIndex(table, key.index);
    change.addConstraint(table, key.constraint);
    for (const c of columns) change.alterColumn(table, c, { notNull: true });
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    if (table.primaryKey)
      ctx.fail(
        'table',
        `table ${displayName(table)} already has primary key ${quoteIdent(table.primaryKey.name)} ` +
          `(${table.primaryKey.columns.map(quoteIdent).join(', ')})`,
      );
    const name = spec.name !== undefined ? parseColumnName(spec.name) : generatedName(table.name, 'pkey');
    requireFreeName(ctx, table, name, spec.name !== undefined ? 'name' : 'table');
    const columns = userColumns(ctx, table, spec.columns, 'columns');
    const partitioned = isPartitioned(table);
    if (partitioned) {
      requireNoForeignPartitions(ctx, table, 'table', 'a primary key');
      requireKeyCoversPartitionKey(
        ctx,
        table,
        columns.map((c) => c.name),
        'columns',
        'a primary key',
      );
    }
    const nullable = columns.filter((c) => !c.notNull).map((c) => c.name);
    for (const c of nullable) requireFreeName(ctx, table, ddl.notNullCheckName(table, c), 'columns');
    const t = qualified(table);
    const dropCheck = (c: string) => ddl.dropConstraint(t, ddl.notNullCheckName(t, c), { ifExists: true });
    const steps = ctx.steps('add_primary_key', `${table.schema}.${table.name}`);

    if (nullable.length > 0) {
      steps.sql('expand', {
        description:
          `add CHECK (... IS NOT NULL) NOT VALID ` +
          `on ${nullable.map(quoteIdent).join(', ')} of ${displayName(t)} (new writes of NULL fail ` +
          `from now on)`,
        statements: nullable.map((c) => ddl.addNotNullCheck(t, c)),
        transactional: true,
        // On a partitioned table the check is added to every partition too.
        impact: partitioned ? briefLocksOn([t, ...partitionsOf(table)], 'ACCESS EXCLUSIVE') : ctx.briefLock(t),
        undo: { statements: nullable.map(dropCheck), transactional: true },
      });
    }
    const key = { name, kind: 'PRIMARY KEY' as const, columns: columns.map((c) => c.name) };
    if (partitioned) partitionedKeyIndexSteps(steps, table, key);
    else buildUniqueIndexStep(steps, table, name, key.columns, `primary key ${quoteIdent(name)}`);
    for (const c of nullable)
      validateNotNull(
        steps,
        table,
        c,
        'a primary-key column cannot hold NULL: update them, then run zdm advance again',
        c === columns[0]!.name ? name : undefined,
      );
    const setNotNull = nullable.map((c) => ddl.setNotNull(t, c));
    const { statements, impact } = partitioned
      ? partitionedKeyStatements(table, key, setNotNull, nullable.map(dropCheck))
      : {
          statements: [
            ...setNotNull,
            ddl.constraintUsingIndex(t, name, 'PRIMARY KEY', name),
            ...nullable.map(dropCheck),
          ],
          impact: ctx.briefLock(t),
        };
    steps.sql('switch', {
      description:
        `make ${partitioned ? "each partition's unique index its primary key, then add" : 'index'} ${quoteIdent(name)} ` +
        `the primary key of ${displayName(t)}${partitioned ? ' (it adopts them without a build)' : ''}${nullable.length ? ` after SET NOT NULL on ${nullable.map(quoteIdent).join(', ')} (proved by the validated checks: no scan)` : ''}`,
      statements,
      transactional: true,
      impact,
      undo: {
        statements: [ddl.dropConstraint(t, name, { ifExists: true }), ...nullable.map((c) => ddl.dropNotNull(t, c))],
        transactional: true,
      },
    });
    notes(ctx, t, columns, nullable, partitioned);
  },
};

function notes(
  ctx: PlanContext,
  t: QualifiedName,
  columns: ColumnInfo[],
  nullable: string[],
  partitioned: boolean,
): void {
  ctx.note({
    phase: 'expand',
    text:
      `from expand on, writes to ${displayName(t)}${partitioned ? "'s partitions" : ''} that ` +
      `duplicate (${columns.map((c) => quoteIdent(c.name)).join(', ')})${nullable.length ? ' or leave a key column NULL' : ''} ` +
      `fail, from both application versions`,
  });
  if (partitioned)
    ctx.note({
      phase: 'switch',
      text:
        `a partition of ${displayName(t)} created after expand has no unique index yet: ` +
        `at switch Postgres builds it there while adding the primary key (it blocks writes to that ` +
        `partition only)`,
    });
}

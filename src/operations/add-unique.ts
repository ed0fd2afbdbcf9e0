import { z } from 'zod';
import { displayName, parseColumnName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { qualified, requireFreeName, userColumns, spelledColumn } from './support/common.js';
import * as ddl from './support/ddl.js';
import { buildUniqueIndexStep } from './support/steps.js';
import { isPartitioned, requireKeyCoversPartitionKey, requireNoForeignPartitions } from './support/partitions.js';
import { partitionedUniqueSteps } from './support/partitioned-key.js';
import type { OperationDefinition } from './types.js';
import { claimFixedColumns, fixingFunctions, planFixingConstraint } from './support/fixing-constraint.js';
import { modelKey } from './support/model-objects.js';

export const addUniqueSchema = z
  .object({
    op: z.literal('addUnique'),
    table: objectName,
    name: columnName,
    columns: z.array(columnName).min(1),
    /**
     * Column -> expression over the row giving a value that makes the row unique (`review || '-' || id`):
     * existing rows and the old application's writes get it in a copy of the column that carries
     * the constraint, while the old application keeps its own values until switch.
     */
    up: z.record(z.string(), z.string().min(1)).optional(),
    /** Column -> expression giving the old column's value from the new one, for rollback (default: the value). */
    down: z.record(z.string(), z.string().min(1)).optional(),
  })
  .strict();

export type AddUnique = z.infer<typeof addUniqueSchema>;

/**
 * addUnique: `ADD CONSTRAINT ... UNIQUE` would build its index under ACCESS EXCLUSIVE. Instead, at
 * expand: `CREATE UNIQUE INDEX CONCURRENTLY` (reads and writes continue; duplicates make it fail
 * with the duplicated key named), then `ADD CONSTRAINT ... UNIQUE USING INDEX` (brief).
 */
export const addUnique: OperationDefinition<AddUnique> = {
  schema: addUniqueSchema,
  refs: (spec) => ({ tables: [spec.table], functions: fixingFunctions(spec) }),
  summary: (spec) =>
    `add unique constraint ${spec.name} on ${spec.table} (${spec.columns.join(', ')})` +
    (spec.up ? ` (${Object.keys(spec.up).join(', ')} rewritten by up)` : ''),
  apply(spec, change) {
    const table = change.table(spec.table);
    const name = parseColumnName(spec.name);
    const columns = spec.columns.map((c) => spelledColumn(table, c));
    claimFixedColumns(change, table, spec.up);
    const key = modelKey(table, name, columns, 'u');
    change.addIndex(table, key.index);
    change.addConstraint(table, key.constraint);
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const name = parseColumnName(spec.name);
    requireFreeName(ctx, table, name, 'name');
    const columns = userColumns(ctx, table, spec.columns, 'columns').map((c) => c.name);
    const t = qualified(table);
    const steps = ctx.steps('add_unique', `${table.schema}.${table.name}.${name}`);
    if (spec.up !== undefined) {
      const constraint = { kind: 'unique' as const, columns };
      return planFixingConstraint(ctx, steps, table, { name, constraint, up: spec.up, down: spec.down });
    }
    if (spec.down !== undefined) ctx.fail('down', '`down` goes with `up`: without `up` the column is not copied');
    if (isPartitioned(table)) {
      requireNoForeignPartitions(ctx, table, 'table', 'a unique constraint');
      requireKeyCoversPartitionKey(ctx, table, columns, 'columns', 'a unique constraint');
      partitionedUniqueSteps(steps, table, { name, kind: 'UNIQUE', columns });
    } else {
      buildUniqueIndexStep(steps, table, name, columns, `unique constraint ${quoteIdent(name)}`);
      steps.sql('expand', {
        description: `make index ${quoteIdent(name)} the unique constraint ${quoteIdent(name)} of ${displayName(t)}`,
        statements: [ddl.constraintUsingIndex(t, name, 'UNIQUE', name)],
        transactional: true,
        impact: ctx.briefLock(t),
        undo: { statements: [ddl.dropConstraint(t, name, { ifExists: true })], transactional: true },
      });
    }
    ctx.note({
      phase: 'expand',
      text:
        `from expand on, writes that duplicate (${columns.map(quoteIdent).join(', ')}) ` +
        `in ${displayName(t)} fail, from both application versions`,
    });
  },
};

import { z } from 'zod';
import { displayName, parseColumnName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { qualified, requireFreeName, userColumns, spelledColumn } from './support/common.js';
import * as ddl from './support/ddl.js';
import {
  addForeignKeyNotValid,
  foreignKeyOptions,
  foreignKeyTail,
  hasLeadingIndex,
  requireDeferrable,
  referentialAction,
  requireCompatibleTypes,
  requireReferencedKey,
  validateForeignKey,
  type ForeignKey,
} from './support/foreign-key.js';
import { partitionedForeignKeySteps } from './support/partitioned-foreign-key.js';
import { isPartitioned, requireNoForeignPartitions } from './support/partitions.js';
import type { OperationDefinition } from './types.js';
import { claimFixedColumns, fixingFunctions, planFixingConstraint } from './support/fixing-constraint.js';
import { modelForeignKey } from './support/model-objects.js';

export const addForeignKeySchema = z
  .object({
    op: z.literal('addForeignKey'),
    table: objectName,
    name: columnName,
    columns: z.array(columnName).min(1),
    references: z.object({ table: objectName, columns: z.array(columnName).min(1) }).strict(),
    onDelete: referentialAction.optional(),
    onUpdate: referentialAction.optional(),
    ...foreignKeyOptions,
    /**
     * Column -> the value a row without a referenced row gets instead (`NULL`, or a fallback key):
     * existing rows and the old application's writes get it in a copy of the column that carries
     * the key, while the old application keeps its own values until switch. Rows with a
     * referenced row keep their value.
     */
    up: z.record(z.string(), z.string().min(1)).optional(),
    /** Column -> expression giving the old column's value from the new one, for rollback (default: the value). */
    down: z.record(z.string(), z.string().min(1)).optional(),
  })
  .strict();

export type AddForeignKey = z.infer<typeof addForeignKeySchema>;

/**
 * addForeignKey: `ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID` at expand (SHARE ROW EXCLUSIVE on
 * both tables, briefly, no scan; new writes are checked from then on), then at switch a sample of
 * orphan rows and `VALIDATE CONSTRAINT` in its own transaction (SHARE UPDATE EXCLUSIVE on the
 * table, ROW SHARE on the referenced one: reads and writes continue).
 */
export const addForeignKey: OperationDefinition<AddForeignKey> = {
  schema: addForeignKeySchema,
  refs: (spec) => ({ tables: [spec.table, spec.references.table], functions: fixingFunctions(spec) }),
  summary: (spec) =>
    `add foreign key ${spec.name} on ${spec.table} (${spec.columns.join(', ')}) ` +
    `referencing ${spec.references.table} (${spec.references.columns.join(', ')})` +
    (spec.up ? ` (${Object.keys(spec.up).join(', ')} of rows without one rewritten by up)` : ''),
  apply(spec, change) {
    const table = change.table(spec.table);
    const referenced = change.table(spec.references.table);
    claimFixedColumns(change, table, spec.up);
    change.addConstraint(
      table,
      modelForeignKey(
        parseColumnName(spec.name),
        spec.columns.map((c) => spelledColumn(table, c)),
        referenced,
        spec.references.columns.map((c) => spelledColumn(referenced, c)),
        foreignKeyTail(spec),
      ),
    );
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const referenced = ctx.table(spec.references.table, 'references.table');
    const name = parseColumnName(spec.name);
    requireFreeName(ctx, table, name, 'name');
    const columns = userColumns(ctx, table, spec.columns, 'columns').map((c) => c.name);
    const referencedColumns = userColumns(ctx, referenced, spec.references.columns, 'references.columns').map(
      (c) => c.name,
    );
    if (columns.length !== referencedColumns.length)
      ctx.fail(
        'references.columns',
        `${columns.length} column(s) reference ${referencedColumns.length} column(s); ` +
          `the lists must have the same length`,
      );
    const fk: ForeignKey = {
      name,
      columns,
      referenced,
      referencedColumns,
      onDelete: spec.onDelete,
      onUpdate: spec.onUpdate,
      match: spec.match,
      deferrable: spec.deferrable,
      initiallyDeferred: spec.initiallyDeferred,
    };
    requireDeferrable(ctx, fk, 'initiallyDeferred');
    requireReferencedKey(ctx, fk, 'references.columns');
    requireCompatibleTypes(
      ctx,
      columns.map((c) => table.columns.find((col) => col.name === c)?.typeOid),
      referenced,
      referencedColumns,
      'columns',
    );
    const t = qualified(table);
    const steps = ctx.steps('add_foreign_key', `${table.schema}.${table.name}.${name}`);
    if (spec.up !== undefined) {
      const constraint = { kind: 'foreignKey' as const, fk };
      planFixingConstraint(ctx, steps, table, { name, constraint, up: spec.up, down: spec.down });
    } else if (spec.down !== undefined) {
      ctx.fail('down', '`down` goes with `up`: without `up` the column is not copied');
    } else if (isPartitioned(table)) {
      requireNoForeignPartitions(ctx, table, 'table', 'a foreign key');
      partitionedForeignKeySteps(steps, table, fk);
    } else {
      steps.sql('expand', {
        description:
          `add foreign key ${quoteIdent(name)} NOT VALID on ${displayName(t)} ` +
          `referencing ${displayName(referenced)} (new writes are checked; existing rows at switch)`,
        statements: [addForeignKeyNotValid(t, fk)],
        transactional: true,
        impact: {
          ...ctx.briefLock(t, 'SHARE ROW EXCLUSIVE'),
          locks: [
            { relation: t, mode: 'SHARE ROW EXCLUSIVE' },
            { relation: qualified(referenced), mode: 'SHARE ROW EXCLUSIVE' },
          ],
        },
        // Dropping a foreign key takes ACCESS EXCLUSIVE on both tables, briefly.
        undo: { statements: [ddl.dropConstraint(t, name, { ifExists: true })], transactional: true },
      });
      validateForeignKey(steps, table, fk);
    }
    if (!hasLeadingIndex(table, columns)) {
      ctx.note({
        phase: 'expand',
        text:
          `no index on ${displayName(t)} (${columns.map(quoteIdent).join(', ')}): ` +
          `every delete or key update on ${displayName(referenced)} will scan ${displayName(t)}; ` +
          `consider createIndex`,
      });
    }
  },
};

import { z } from 'zod';
import { displayName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { dropNotNullStep } from './support/steps.js';
import type { OperationDefinition } from './types.js';
import { spelledColumn } from './support/common.js';

export const dropNotNullSchema = z
  .object({
    op: z.literal('dropNotNull'),
    table: objectName,
    column: columnName,
  })
  .strict();

export type DropNotNull = z.infer<typeof dropNotNullSchema>;

/**
 * dropNotNull: `DROP NOT NULL` is metadata only (brief ACCESS EXCLUSIVE), run at expand so the new
 * application version may write NULL once it is deployed; the old one never does. Rollback puts
 * NOT NULL back through a validated CHECK (no scan under ACCESS EXCLUSIVE), restoring the
 * constraint's name on Postgres 18; it fails, and can be run again, while rows with NULL exist.
 */
export const dropNotNull: OperationDefinition<DropNotNull> = {
  schema: dropNotNullSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `drop NOT NULL on ${spec.table}.${spec.column}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    change.alterColumn(table, spelledColumn(table, spec.column), { notNull: false });
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const name = spelledColumn(table, spec.column);
    const column = ctx.column(table, name, 'column');
    const where = `${displayName(table)}.${quoteIdent(name)}`;
    if (!column.notNull) ctx.fail('column', `${where} is already nullable`);
    if (table.primaryKey?.columns.includes(name))
      ctx.fail(
        'column',
        `${where} is part of primary key ${quoteIdent(table.primaryKey.name)}; primary-key columns are always NOT NULL`,
      );
    if (column.identity) ctx.fail('column', `${where} is an identity column; identity columns are always NOT NULL`);
    dropNotNullStep(
      ctx,
      ctx.steps('drop_not_null', `${table.schema}.${table.name}.${name}`),
      table,
      name,
      `allow NULL in ${where}`,
    );
    ctx.note({
      phase: 'expand',
      text:
        `rollback restores NOT NULL on ${where} and stops at VALIDATE while rows with NULL ` +
        `exist: update them, then run zdm rollback again`,
    });
  },
};

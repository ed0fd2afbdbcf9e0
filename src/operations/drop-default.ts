import { z } from 'zod';
import { displayName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { qualified, spelledColumn } from './support/common.js';
import * as ddl from './support/ddl.js';
import type { OperationDefinition } from './types.js';

export const dropDefaultSchema = z
  .object({
    op: z.literal('dropDefault'),
    table: objectName,
    column: columnName,
  })
  .strict();

export type DropDefault = z.infer<typeof dropDefaultSchema>;

/**
 * dropDefault: a brief, metadata-only ALTER, run at contract: the old application version may
 * insert rows without the column and rely on the default until it is retired. Nothing to undo
 * before contract.
 */
export const dropDefault: OperationDefinition<DropDefault> = {
  schema: dropDefaultSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `drop default of ${spec.table}.${spec.column}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    change.alterColumn(table, spelledColumn(table, spec.column), { default: null });
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const name = spelledColumn(table, spec.column);
    const column = ctx.column(table, name, 'column');
    const where = `${displayName(table)}.${quoteIdent(name)}`;
    if (column.identity)
      ctx.fail(
        'column',
        `${where} is an identity column; its values come from a sequence, ` +
          `not a default (ALTER COLUMN ... DROP IDENTITY in a "sql" operation)`,
      );
    if (column.generated) ctx.fail('column', `${where} is a generated column, not a column with a default`);
    if (column.default === null) ctx.fail('column', `${where} has no default`);
    const t = qualified(table);
    ctx.steps('drop_default', `${table.schema}.${table.name}.${name}`).sql('contract', {
      description:
        `drop the default of ${where} ` +
        `(${column.default})${column.ownedSequence ? `; sequence ${displayName(column.ownedSequence)} stays` : ''}`,
      statements: [ddl.dropDefault(t, name)],
      transactional: true,
      // DROP DEFAULT recurses to every partition.
      impact: ddl.treeBriefLock(table),
    });
    ctx.note({
      phase: 'contract',
      text:
        `from contract on, inserts into ${displayName(table)} must give ${quoteIdent(name)} ` +
        `(its default ${column.default} is dropped): run it when no application version relies on it`,
    });
  },
};

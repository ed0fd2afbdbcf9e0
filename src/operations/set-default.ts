import { z } from 'zod';
import { displayName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { qualified, userExpression, spelledColumn } from './support/common.js';
import * as ddl from './support/ddl.js';
import type { OperationDefinition } from './types.js';

export const setDefaultSchema = z
  .object({
    op: z.literal('setDefault'),
    table: objectName,
    column: columnName,
    /** SQL expression, e.g. `'standard'`, `now()`, `gen_random_uuid()`. */
    default: z.string(),
  })
  .strict();

export type SetDefault = z.infer<typeof setDefaultSchema>;

/**
 * setDefault: `ALTER COLUMN ... SET DEFAULT` only changes the catalog (existing rows keep their
 * values, whatever the expression's volatility), so it runs directly at expand with a brief lock:
 * the application version about to be deployed may rely on it. Rollback restores the previous
 * default (or none).
 */
export const setDefault: OperationDefinition<SetDefault> = {
  schema: setDefaultSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `set default of ${spec.table}.${spec.column} to ${spec.default}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    change.alterColumn(table, spelledColumn(table, spec.column), { default: spec.default.trim() });
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const name = spelledColumn(table, spec.column);
    const column = ctx.column(table, name, 'column');
    const where = `${displayName(table)}.${quoteIdent(name)}`;
    if (column.identity)
      ctx.fail('column', `${where} is an identity column: its values come from its sequence, it cannot have a default`);
    if (column.generated) ctx.fail('column', `${where} is a generated column: it cannot have a default`);
    const value = userExpression(ctx, spec.default, 'default', table);
    if (value.columns.size > 0)
      ctx.fail(
        'default',
        `${JSON.stringify(spec.default)}: a default cannot use columns (${[...value.columns].map(quoteIdent).join(', ')})`,
      );
    const t = qualified(table);
    ctx.steps('set_default', `${table.schema}.${table.name}.${name}`).sql('expand', {
      description: `set the default of ${where} to ${value.sql}${column.default !== null ? ` (was ${column.default})` : ''}; existing rows keep their values`,
      statements: [ddl.setDefault(t, name, value.sql)],
      transactional: true,
      impact: ddl.treeBriefLock(table),
      undo: {
        statements: [column.default !== null ? ddl.setDefault(t, name, column.default) : ddl.dropDefault(t, name)],
        transactional: true,
      },
    });
    ctx.note({
      phase: 'expand',
      text: `from expand on, rows inserted into ${displayName(table)} without ${quoteIdent(name)} get ${value.sql}, whichever application version inserts them`,
    });
  },
};

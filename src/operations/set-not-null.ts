import { z } from 'zod';
import { displayName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { expressionFunctions, qualified, requireFreeName, userExpression, spelledColumn } from './support/common.js';
import { fillTrigger } from './support/fill-trigger.js';
import * as ddl from './support/ddl.js';
import { leadingBtreeIndex, validateNotNull } from './support/steps.js';
import type { OperationDefinition } from './types.js';

export const setNotNullSchema = z
  .object({
    op: z.literal('setNotNull'),
    table: objectName,
    column: columnName,
    /** Value for rows where the column is NULL, over the row's columns: `coalesce(c, 'standard')`. */
    up: z.string().optional(),
  })
  .strict();

export type SetNotNull = z.infer<typeof setNotNullSchema>;

/**
 * setNotNull without the full-table scan SET NOT NULL does under ACCESS EXCLUSIVE:
 * - expand: `CHECK (c IS NOT NULL) NOT VALID` (brief; enforced on every new write from now on)
 *   and, with `up`, a trigger that gives NULL writes the `up` value, so an application version
 *   that still writes NULL keeps working;
 * - backfill (with `up`): existing NULLs get `up`, in keyset batches;
 * - switch: report rows still NULL (a sample), then VALIDATE (SHARE UPDATE EXCLUSIVE);
 * - contract: SET NOT NULL (proved by the validated check, no scan), drop the check and trigger.
 */
export const setNotNull: OperationDefinition<SetNotNull> = {
  schema: setNotNullSchema,
  refs: (spec) => ({ tables: [spec.table], functions: expressionFunctions(spec.up) }),
  summary: (spec) => `set NOT NULL on ${spec.table}.${spec.column}${spec.up ? ` (NULLs become ${spec.up})` : ''}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    change.alterColumn(table, spelledColumn(table, spec.column), { notNull: true });
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const name = spelledColumn(table, spec.column);
    const column = ctx.column(table, name, 'column');
    const where = `${displayName(table)}.${quoteIdent(name)}`;
    if (column.notNull) ctx.fail('column', `${where} is already NOT NULL`);
    requireFreeName(ctx, table, ddl.notNullCheckName(table, name), 'column');
    const up = spec.up !== undefined ? userExpression(ctx, spec.up, 'up', table) : undefined;
    const fill = up ? fillTrigger(table, name, up.sql) : undefined;
    const t = qualified(table);
    const col = quoteIdent(name);
    const steps = ctx.steps('set_not_null', `${table.schema}.${table.name}.${name}`);

    steps.sql('expand', {
      description: `add CHECK (${col} IS NOT NULL) NOT VALID on ${displayName(t)}${fill ? `, and a trigger giving NULL writes ${up!.sql}` : ''}`,
      statements: [...(fill?.create ?? []), ddl.addNotNullCheck(t, name)],
      transactional: true,
      impact: ddl.treeBriefLock(table),
      undo: {
        statements: [ddl.dropConstraint(t, ddl.notNullCheckName(t, name), { ifExists: true }), ...(fill?.drop ?? [])],
        transactional: true,
      },
    });
    if (up)
      ctx.backfill({
        table,
        assignments: [{ column: name, expression: `COALESCE(${col}, ${up.sql})` }],
        pending: `${col} IS NULL`,
      });
    validateNotNull(
      steps,
      table,
      name,
      up
        ? `\`up\` (${up.sql}) gives NULL for them: fix the data or the expression`
        : 'give `up` (a value for them) or update them',
      up ? undefined : leadingBtreeIndex(table, name),
    );
    steps.sql('contract', {
      description: `SET NOT NULL on ${where} (proved by the validated check: no scan) and drop the check${fill ? ' and the trigger' : ''}`,
      statements: [...(fill?.drop ?? []), ...ddl.setNotNullStatements(t, name, { ifExists: true })],
      transactional: true,
      impact: ddl.treeBriefLock(table),
    });
    if (!up)
      ctx.note({
        phase: 'expand',
        text: `from expand on, writes of NULL to ${where} fail (the NOT VALID check applies to new rows); give \`up\` to turn them into a value instead`,
      });
  },
};

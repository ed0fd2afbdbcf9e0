import { z } from 'zod';
import { displayName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { dropNotNullStep } from './support/steps.js';
import type { OperationDefinition, PlanContext } from './types.js';
import { expressionFunctions, qualified, spelledColumn, userExpression } from './support/common.js';
import type { TableInfo } from '../db/catalog.js';
import * as ddl from './support/ddl.js';
import { fillTrigger } from './support/fill-trigger.js';

export const dropNotNullSchema = z
  .object({
    op: z.literal('dropNotNull'),
    table: objectName,
    column: columnName,
    /**
     * The value (an expression over the row) the column gets in place of NULL in rows written
     * between expand and contract, so the old application version never reads NULL and rollback
     * keeps NOT NULL; NOT NULL is then dropped at contract.
     */
    down: z.string().min(1).optional(),
  })
  .strict();

export type DropNotNull = z.infer<typeof dropNotNullSchema>;

/**
 * dropNotNull: `DROP NOT NULL` is metadata only (brief ACCESS EXCLUSIVE), run at expand so the new
 * application version may write NULL once it is deployed; the old one never does. Rollback puts
 * NOT NULL back through a validated CHECK (no scan under ACCESS EXCLUSIVE), restoring the
 * constraint's name on Postgres 18; it fails, and can be run again, while rows with NULL exist.
 *
 * With `down` the old version never reads NULL: NOT NULL stays until contract, and a trigger gives
 * every write that leaves the column NULL (the new version's) `down` instead; contract drops the
 * trigger and NOT NULL together. Rollback only drops the trigger. The one column serves both
 * versions, so what the new version wrote as NULL during the window keeps `down`'s value.
 */
export const dropNotNull: OperationDefinition<DropNotNull> = {
  schema: dropNotNullSchema,
  refs: (spec) => ({ tables: [spec.table], functions: expressionFunctions(spec.down) }),
  summary: (spec) =>
    `drop NOT NULL on ${spec.table}.${spec.column}${spec.down ? ` (NULL writes get ${spec.down} until contract)` : ''}`,
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
    if (spec.down !== undefined) return planWithDown(ctx, table, name, spec.down);
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

/** `down`: NOT NULL kept until contract, NULL writes meanwhile given `down` by a trigger. */
function planWithDown(ctx: PlanContext, table: TableInfo, name: string, text: string): void {
  const down = userExpression(ctx, text, 'down', table);
  const where = `${displayName(table)}.${quoteIdent(name)}`;
  const t = qualified(table);
  const fill = fillTrigger(table, name, down.sql);
  const steps = ctx.steps('drop_not_null', `${table.schema}.${table.name}.${name}`);
  steps.sql('expand', {
    description:
      `add a trigger giving ${where} the value ${down.sql} in rows written with NULL ` +
      `(NOT NULL stays until contract)`,
    statements: fill.create,
    transactional: true,
    // CREATE TRIGGER on a partitioned table clones it to every partition, each locked the same way.
    impact: ddl.treeBriefLock(table, 'SHARE ROW EXCLUSIVE'),
    undo: { statements: fill.drop, transactional: true },
  });
  steps.sql('contract', {
    description: `allow NULL in ${where} and drop the trigger`,
    statements: [...fill.drop, ddl.dropNotNull(t, name)],
    transactional: true,
    impact: ddl.treeBriefLock(table),
  });
  ctx.note({
    phase: 'expand',
    text:
      `until contract ${where} stays NOT NULL and a write that leaves it NULL (the new application version's) ` +
      `gets ${down.sql}, so the old version never reads NULL and rollback has nothing to restore; those rows ` +
      `keep that value after contract (one column serves both versions), NULL is stored from contract on`,
  });
}

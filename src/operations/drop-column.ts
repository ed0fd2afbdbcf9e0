import { z } from 'zod';
import { displayName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import type { LockTaken } from '../plan/types.js';
import { expressionFunctions, qualified, userExpression, spelledColumn } from './support/common.js';
import { fillTrigger } from './support/fill-trigger.js';
import * as ddl from './support/ddl.js';
import { dropNotNullStep } from './support/steps.js';
import type { TableInfo } from '../db/catalog.js';
import type { OperationDefinition, PlanContext } from './types.js';
import { describeDependents, isPartitionOwn } from './support/dependents.js';
import { wholeRowNote } from './support/whole-row.js';

export const dropColumnSchema = z
  .object({
    op: z.literal('dropColumn'),
    table: objectName,
    column: columnName,
    /**
     * Value for the column in rows written by the new application version (which no longer
     * writes it), over the row's other columns; kept by a trigger until contract, so the old
     * version still reads a value.
     */
    down: z.string().optional(),
  })
  .strict();

export type DropColumn = z.infer<typeof dropColumnSchema>;

/**
 * dropColumn: the old application version reads and writes the column until contract, so it is
 * dropped only then (one brief ACCESS EXCLUSIVE; its indexes and constraints go with it). At
 * expand, the new version, which no longer writes it, must be able to insert:
 * - with `down`, a trigger fills the column for writes that leave it NULL;
 * - else, a NOT NULL column without a default gets its NOT NULL relaxed (rollback restores it
 *   through a validated CHECK and stops, re-runnable, while rows with NULL exist).
 */
export const dropColumn: OperationDefinition<DropColumn> = {
  schema: dropColumnSchema,
  refs: (spec) => ({ tables: [spec.table], functions: expressionFunctions(spec.down) }),
  summary: (spec) => `drop column ${spec.table}.${spec.column}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    change.dropColumn(table, spelledColumn(table, spec.column));
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const name = spelledColumn(table, spec.column);
    const column = ctx.column(table, name, 'column');
    const where = `${displayName(table)}.${quoteIdent(name)}`;
    if (table.columns.length === 1) ctx.fail('column', `${where} is the only column of the table`);
    refuseUsedColumn(ctx, table, name, where);
    const needsValue = column.notNull && column.default === null && !column.identity && !column.generated;
    if (needsValue && !spec.down && table.primaryKey?.columns.includes(name)) {
      ctx.fail(
        'down',
        `${where} is part of the primary key, so it stays NOT NULL until contract: give \`down\`, ` +
          `the value new rows get for it`,
      );
    }
    const down = spec.down !== undefined ? userExpression(ctx, spec.down, 'down', table) : undefined;
    const t = qualified(table);
    const steps = ctx.steps('drop_column', `${table.schema}.${table.name}.${name}`);
    const fill = down ? fillTrigger(table, name, down.sql) : undefined;

    if (fill) {
      steps.sql('expand', {
        description:
          `add a trigger giving ${where} the value ${down!.sql} in rows written without ` +
          `it (by the new application version)`,
        statements: fill.create,
        transactional: true,
        // CREATE TRIGGER on a partitioned table clones it to every partition, each locked the same way.
        impact: ddl.treeBriefLock(table, 'SHARE ROW EXCLUSIVE'),
        undo: { statements: fill.drop, transactional: true },
      });
    } else if (needsValue) {
      dropNotNullStep(
        ctx,
        steps,
        table,
        name,
        `allow NULL in ${where} until it is dropped, so the new application version can insert without it`,
      );
      ctx.note({
        phase: 'expand',
        text:
          `rows the new application version inserts have ${where} NULL; ` +
          `rollback restores NOT NULL and stops while such rows exist (give \`down\` to fill them instead)`,
      });
    }

    const indexes = table.indexes.filter((ix) => ix.columns.includes(name));
    const constraints = table.constraints.filter((c) => c.columns.includes(name) && c.type !== 'n');
    // DROP COLUMN recurses to every partition; dropping a foreign key takes ACCESS EXCLUSIVE on the
    // referenced table as well.
    const locks: LockTaken[] = ddl.treeLocks(table, 'ACCESS EXCLUSIVE');
    for (const c of constraints)
      if (c.type === 'f' && c.references) locks.push({ relation: c.references.table, mode: 'ACCESS EXCLUSIVE' });
    const goes = [
      ...indexes.map((ix) => `index ${quoteIdent(ix.name)}`),
      ...constraints.filter((c) => !c.index).map((c) => `constraint ${quoteIdent(c.name)}`),
      ...table.dependents
        .filter((d) => d.column === name && isPartitionOwn(d))
        .map((d) => `${d.name} (of ${displayName(d.on!)})`),
    ];
    steps.sql('contract', {
      description: `drop column ${where}${goes.length ? `, with ${goes.join(', ')}` : ''}`,
      statements: [...(fill?.drop ?? []), ddl.dropColumn(t, name)],
      transactional: true,
      impact: { ...ctx.briefLock(t), locks },
    });
    ctx.note({
      phase: 'contract',
      text: `run contract only when no running application version uses ${where}: it is dropped`,
    });
    wholeRowNote(ctx, table, {
      window: null,
      after: `from contract rows no longer carry ${quoteIdent(name)}`,
      backfills: false,
    });
  },
};

/** A column other objects use (views, functions, inbound foreign keys) cannot be dropped without CASCADE. */
function refuseUsedColumn(ctx: PlanContext, table: TableInfo, name: string, where: string): void {
  const dependents = table.dependents.filter((d) => d.column === name && !isPartitionOwn(d));
  if (dependents.length > 0)
    ctx.fail(
      'column',
      `${where} is used by ${describeDependents(dependents, table)}; ` +
        `change or drop those first (dropping the column would need CASCADE)`,
    );
  const inbound = table.referencedBy.filter((fk) => fk.referencedColumns.includes(name));
  if (inbound.length > 0)
    ctx.fail(
      'column',
      `${where} is referenced by foreign ` +
        `key(s) ${inbound.map((fk) => `${quoteIdent(fk.name)} on ${displayName(fk.table)}`).join(', ')}; ` +
        `drop them first`,
    );
}

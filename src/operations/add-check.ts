import { z } from 'zod';
import { displayName, parseColumnName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { qualified, requireFreeName, userExpression } from './support/common.js';
import * as ddl from './support/ddl.js';
import { validateConstraintStep, verifyStep } from './support/steps.js';
import { claimFixedColumns, fixingFunctions, planFixingConstraint } from './support/fixing-constraint.js';
import type { OperationDefinition } from './types.js';
import { columnsIn, modelConstraint } from './support/model-objects.js';

export const addCheckSchema = z
  .object({
    op: z.literal('addCheck'),
    table: objectName,
    name: columnName,
    /** Boolean SQL expression over the table's columns: `amount > 0`. */
    expression: z.string(),
    /**
     * Column -> expression over the row giving a value the check accepts (`CASE WHEN length(title) > 3
     * THEN title ELSE rpad(title, 4, '-') END`): existing rows and the old application's writes get
     * it in a checked copy of the column, while the old application keeps its own values until switch.
     */
    up: z.record(z.string(), z.string().min(1)).optional(),
    /** Column -> expression giving the old column's value from the new one, for rollback (default: the value itself). */
    down: z.record(z.string(), z.string().min(1)).optional(),
  })
  .strict();

export type AddCheck = z.infer<typeof addCheckSchema>;

/**
 * addCheck: `ADD CONSTRAINT ... CHECK (...) NOT VALID` at expand (brief lock, no scan; Postgres
 * enforces it on new and updated rows from then on), then at switch a sample of the rows that
 * violate it, and `VALIDATE CONSTRAINT` in its own transaction (SHARE UPDATE EXCLUSIVE: reads and
 * writes continue during the scan).
 */
export const addCheck: OperationDefinition<AddCheck> = {
  schema: addCheckSchema,
  refs: (spec) => ({ tables: [spec.table], functions: fixingFunctions(spec) }),
  summary: (spec) =>
    `add check ${spec.name} on ${spec.table}: ${spec.expression}${spec.up ? ` (${Object.keys(spec.up).join(', ')} rewritten by up)` : ''}`,
  apply(spec, change) {
    const table = change.table(spec.table);
    const columns = [...columnsIn(spec.expression)].filter((c) => table.columns.some((col) => col.name === c));
    claimFixedColumns(change, table, spec.up);
    change.addConstraint(
      table,
      modelConstraint(parseColumnName(spec.name), 'c', columns, `CHECK (${spec.expression.trim()})`),
    );
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const name = parseColumnName(spec.name);
    requireFreeName(ctx, table, name, 'name');
    const check = userExpression(ctx, spec.expression, 'expression', table);
    const t = qualified(table);
    const steps = ctx.steps('add_check', `${table.schema}.${table.name}.${name}`);
    if (spec.up !== undefined) {
      const constraint = { kind: 'check' as const, expression: spec.expression };
      return planFixingConstraint(ctx, steps, table, { name, constraint, up: spec.up, down: spec.down });
    }
    if (spec.down !== undefined) ctx.fail('down', '`down` goes with `up`: without `up` the column is not copied');
    steps.sql('expand', {
      description: `add CHECK ${quoteIdent(name)} NOT VALID on ${displayName(t)} (enforced on new writes; existing rows are checked at switch)`,
      statements: [ddl.addCheckNotValid(t, name, spec.expression.trim())],
      transactional: true,
      // ADD CONSTRAINT recurses to every partition.
      impact: ddl.treeBriefLock(table),
      undo: { statements: [ddl.dropConstraint(t, name, { ifExists: true })], transactional: true },
    });
    verifyStep(
      steps,
      table,
      `(${spec.expression.trim()}) IS FALSE`,
      [...check.columns],
      `verify no row of ${displayName(t)} violates ${quoteIdent(name)}`,
      `rows of ${displayName(t)} that violate CHECK ${quoteIdent(name)} (${spec.expression.trim()}); fix them, then run zdm advance again`,
    );
    validateConstraintStep(steps, table, name);
    ctx.note({
      phase: 'expand',
      text: `from expand on, writes to ${displayName(t)} that violate ${quoteIdent(name)} fail, from both application versions`,
    });
  },
};

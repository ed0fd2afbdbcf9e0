import { z } from 'zod';
import type { ConstraintInfo, TableInfo } from '../db/catalog.js';
import { displayName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { qualified, spelledConstraint } from './support/common.js';
import { CONSTRAINT_KINDS, constraintDdlLocks, existingConstraint } from './support/constraint-lookup.js';
import * as ddl from './support/ddl.js';
import { lockTablesStatements } from './support/lock-order.js';
import { isPartitioned, lockableTree } from './support/partitions.js';
import type { LockTaken } from '../plan/types.js';
import type { OperationDefinition, PlanContext } from './types.js';

export const dropConstraintSchema = z
  .object({
    op: z.literal('dropConstraint'),
    table: objectName,
    /** A CHECK, FOREIGN KEY, UNIQUE or EXCLUDE constraint of the table. */
    name: columnName,
  })
  .strict();

export type DropConstraint = z.infer<typeof dropConstraintSchema>;

/**
 * dropConstraint: the old application version may rely on the constraint (it validates nothing
 * itself, or catches the violation), so it holds until contract, for both versions; at contract
 * one brief `ALTER TABLE ... DROP CONSTRAINT IF EXISTS` (ACCESS EXCLUSIVE on the table, and on the
 * referenced table for a foreign key: Postgres removes the key's triggers there). A UNIQUE or
 * EXCLUDE constraint's index goes with it. Nothing happens before contract, so rollback has
 * nothing to undo.
 */
export const dropConstraint: OperationDefinition<DropConstraint> = {
  schema: dropConstraintSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `drop constraint ${spec.name} on ${spec.table} (at contract)`,
  apply(spec, change) {
    // Gone at contract; for the operations after it in the file, gone.
    const table = change.table(spec.table);
    change.dropConstraint(table, spelledConstraint(table, spec.name));
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const constraint = existingConstraint(ctx, table, spec.name, 'name');
    refuseUnsupported(ctx, table, constraint);
    const t = qualified(table);
    const name = quoteIdent(constraint.name);
    const kind = CONSTRAINT_KINDS[constraint.type];
    const partitioned = isPartitioned(table);
    const locks = partitioned ? treeLocks(table, constraint) : constraintDdlLocks(table, constraint, true);
    ctx.steps('drop_constraint', `${table.schema}.${table.name}.${constraint.name}`).sql('contract', {
      description:
        `drop ${kind} constraint ${name} ` +
        `of ${displayName(t)}${constraint.index ? ` with its index ${quoteIdent(constraint.index)}` : ''}${partitioned ? `, and its copies on every partition (brief ACCESS EXCLUSIVE on each: Postgres drops a partitioned table's constraint on the whole tree at once, metadata only)` : ''}`,
      statements: [
        ...lockTablesStatements(locks, partitioned),
        ddl.dropConstraint(t, constraint.name, { ifExists: true }),
      ],
      transactional: true,
      impact: { ...ctx.briefLock(t), locks },
    });
    ctx.note({
      phase: 'expand',
      text:
        `${kind} constraint ${name} of ${displayName(t)} holds until contract, ` +
        `for both application versions: the new version's writes must still satisfy it during the window`,
    });
  },
};

/**
 * On a partitioned table the drop recurses: ACCESS EXCLUSIVE on the root, then on every partition
 * (a foreign key's referenced table last, as an application's key check takes it last). Each
 * table is locked first, root first, the others waiting at most 100 ms (lock-order.ts), so zdm
 * gives way to an application statement holding a partition and retries, instead of queueing
 * every statement on the root behind it.
 */
function treeLocks(table: TableInfo, constraint: ConstraintInfo): LockTaken[] {
  const tree = lockableTree(table).map((relation) => ({ relation, mode: 'ACCESS EXCLUSIVE' as const }));
  return [...tree, ...constraintDdlLocks(table, constraint, true).slice(1)];
}

/**
 * Primary keys, NOT NULL and constraint triggers have operations or consequences of their own; a key
 * others reference cannot go alone.
 */
function refuseUnsupported(ctx: PlanContext, table: TableInfo, constraint: ConstraintInfo): void {
  const name = quoteIdent(constraint.name);
  if (constraint.type === 'n') ctx.fail('name', `${name} is the NOT NULL constraint of a column: use dropNotNull`);
  if (constraint.type === 'p')
    ctx.fail(
      'name',
      `${name} is the primary key of ${displayName(table)}: ` +
        `zdm's backfills and dual-write triggers need one; ` +
        `dropping it is not an operation (use a "sql" operation in contract if you must)`,
    );
  if (constraint.type === 't')
    ctx.fail('name', `${name} is a constraint trigger: drop it with a "sql" operation (DROP TRIGGER)`);
  if (constraint.type !== 'u' && constraint.type !== 'x') return;
  const same = (cols: string[]) =>
    cols.length === constraint.columns.length && cols.every((c) => constraint.columns.includes(c));
  const inbound = table.referencedBy.filter((fk) => same(fk.referencedColumns));
  if (inbound.length > 0)
    ctx.fail(
      'name',
      `${name} is the key foreign ` +
        `key(s) ${inbound.map((fk) => `${quoteIdent(fk.name)} on ${displayName(fk.table)}`).join(', ')} ` +
        `reference; drop them first (dropping it would need CASCADE)`,
    );
}

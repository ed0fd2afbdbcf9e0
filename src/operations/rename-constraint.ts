import { z } from 'zod';
import { displayName, parseColumnName, quoteIdent } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import { qualified, requireFreeName, spelledConstraint } from './support/common.js';
import { CONSTRAINT_KINDS, constraintDdlLocks, existingConstraint } from './support/constraint-lookup.js';
import * as ddl from './support/ddl.js';
import type { OperationDefinition } from './types.js';
import type { ConstraintInfo, TableInfo } from '../db/catalog.js';
import type { LockTaken } from '../plan/types.js';

export const renameConstraintSchema = z
  .object({
    op: z.literal('renameConstraint'),
    table: objectName,
    from: columnName,
    to: columnName,
  })
  .strict();

export type RenameConstraint = z.infer<typeof renameConstraintSchema>;

/**
 * renameConstraint: the old application version may name the constraint (`ON CONFLICT ON
 * CONSTRAINT`, matching the name in a violation error), so the name changes at contract, when only
 * the new version runs: one brief `ALTER TABLE ... RENAME CONSTRAINT` (ACCESS EXCLUSIVE on the
 * table; Postgres renames a UNIQUE, PRIMARY KEY or EXCLUDE constraint's index with it). Nothing
 * happens before contract, so rollback has nothing to undo.
 */
export const renameConstraint: OperationDefinition<RenameConstraint> = {
  schema: renameConstraintSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `rename constraint ${spec.from} on ${spec.table} to ${spec.to} (at contract)`,
  apply(spec, change) {
    const table = change.table(spec.table);
    change.renameConstraint(table, spelledConstraint(table, spec.from), parseColumnName(spec.to));
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const constraint = existingConstraint(ctx, table, spec.from, 'from');
    const to = parseColumnName(spec.to);
    if (to === constraint.name) ctx.fail('to', `the constraint is already named ${quoteIdent(to)}`);
    requireFreeName(ctx, table, to, 'to');
    const t = qualified(table);
    const kind = CONSTRAINT_KINDS[constraint.type];
    ctx.steps('rename_constraint', `${table.schema}.${table.name}.${constraint.name}`).sql('contract', {
      description:
        `rename ${kind} constraint ${quoteIdent(constraint.name)} of ${displayName(t)} ` +
        `to ${quoteIdent(to)}${constraint.index ? ' (its index too)' : ''}`,
      statements: [ddl.renameConstraint(t, constraint.name, to)],
      transactional: true,
      impact: { ...ctx.briefLock(t), locks: renameLocks(table, constraint) },
    });
    ctx.note({
      phase: 'expand',
      text:
        `constraint ${quoteIdent(constraint.name)} of ${displayName(t)} keeps its name until ` +
        `contract: the new application version must not rely on ${quoteIdent(to)} (ON CONFLICT ON ` +
        `CONSTRAINT, error matching) before then`,
    });
  },
};

/**
 * RENAME CONSTRAINT of a CHECK (or, on 18, NOT NULL) constraint renames it on every partition too
 * (a partitioned table's CHECK constraints are inherited), locking each ACCESS EXCLUSIVE; other
 * kinds (a key's index, a foreign key) are renamed on the table alone.
 */
function renameLocks(table: TableInfo, constraint: ConstraintInfo): LockTaken[] {
  return constraint.type === 'c' || constraint.type === 'n'
    ? ddl.treeLocks(table, 'ACCESS EXCLUSIVE')
    : constraintDdlLocks(table, constraint, false);
}

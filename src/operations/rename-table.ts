import { z } from 'zod';
import { tableKey } from '../db/catalog.js';
import { displayName, parseObjectName, quoteIdent, quoteQualified, type QualifiedName } from '../db/quote.js';
import { objectName } from '../migration/names.js';
import * as ddl from './support/ddl.js';
import type { OperationDefinition } from './types.js';

export const renameTableSchema = z
  .object({
    op: z.literal('renameTable'),
    from: objectName,
    to: objectName,
  })
  .strict();

export type RenameTable = z.infer<typeof renameTableSchema>;

/**
 * renameTable keeps the old name working for the whole window:
 * - expand, one short transaction: RENAME the table and create a view under the old name,
 *   `SELECT *` from the new one. A single-table view without aggregates is automatically updatable,
 *   so the old application version's INSERT (with the table's column defaults), UPDATE, DELETE,
 *   ON CONFLICT and RETURNING go through it. The table's grants are copied to the view, so roles
 *   that could use the table can use the old name;
 * - contract: DROP the view.
 * Rollback drops the view and renames the table back. The table keeps its index, constraint and
 * sequence names, as ALTER TABLE ... RENAME does. Through the view, TRUNCATE, COPY ... FROM and
 * LOCK TABLE do not work (Postgres limits on views); the plan says so.
 */
export const renameTable: OperationDefinition<RenameTable> = {
  schema: renameTableSchema,
  refs(spec) {
    // Look `to` up in `from`'s schema, where the rename would put it.
    const from = parseObjectName(spec.from);
    const to = parseObjectName(spec.to);
    const schema = to.schema ?? from.schema;
    return { tables: [spec.from, schema === undefined ? spec.to : `${quoteIdent(schema)}.${quoteIdent(to.name)}`] };
  },
  summary: (spec) => `rename table ${spec.from} to ${spec.to}`,
  apply(spec, change) {
    const table = change.table(spec.from);
    change.renameTable(table, {
      schema: parseObjectName(spec.to).schema ?? table.schema,
      name: parseObjectName(spec.to).name,
    });
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.from, 'from');
    const from: QualifiedName = { schema: table.schema, name: table.name };
    const toRef = parseObjectName(spec.to);
    const to: QualifiedName = { schema: toRef.schema ?? table.schema, name: toRef.name };
    if (to.schema !== from.schema)
      ctx.fail(
        'to',
        `moving a table to another schema (${quoteIdent(from.schema)} -> ${quoteIdent(to.schema)}) ` +
          `is not supported; rename within ${quoteIdent(from.schema)}`,
      );
    if (to.name === from.name) ctx.fail('to', `${quoteIdent(to.name)} is the table's current name`);
    if (ctx.catalog.tables.has(tableKey(to))) ctx.fail('to', `a relation named ${displayName(to)} already exists`);
    if (table.relkind === 'p')
      ctx.note({ phase: 'expand', text: `${displayName(from)} is partitioned: its partitions keep their names` });

    const view = quoteQualified(from);
    const steps = ctx.steps('rename_table', displayName(from));
    steps.sql('expand', {
      description:
        `rename ${displayName(from)} to ${displayName(to)}, ` +
        `and create the view ${displayName(from)} on it so the old name keeps working`,
      statements: [
        ddl.renameTable(from, to.name),
        ddl.createViewOf(from, to),
        ...ddl.grantStatements(
          (table.grants ?? []).filter((g) => VIEW_PRIVILEGES.has(g.privilege)),
          view,
        ),
      ],
      transactional: true,
      impact: ctx.briefLock(from),
      undo: {
        statements: [ddl.dropView(from, { ifExists: true }), ddl.renameTable(to, from.name, { ifExists: true })],
        transactional: true,
        impact: ddl.briefLocks([
          { relation: to, mode: 'ACCESS EXCLUSIVE' },
          { relation: from, mode: 'ACCESS EXCLUSIVE' },
        ]),
      },
    });
    steps.sql('contract', {
      description: `drop the compatibility view ${displayName(from)}`,
      statements: [ddl.dropView(from)],
      transactional: true,
      impact: ctx.briefLock(from),
    });
    ctx.note({
      phase: 'expand',
      text:
        `after expand the old name ${displayName(from)} is a view: ` +
        `reads and writes (INSERT ... RETURNING, ON CONFLICT) work; TRUNCATE, ` +
        `COPY ... FROM and LOCK TABLE on the old name do not`,
    });
    ctx.note({
      phase: 'contract',
      text: `run contract only when no running application version uses ${displayName(from)}: the view is dropped`,
    });
  },
};

/** Table privileges that mean something on a view (TRUNCATE and MAINTAIN do not). */
const VIEW_PRIVILEGES = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'REFERENCES', 'TRIGGER']);

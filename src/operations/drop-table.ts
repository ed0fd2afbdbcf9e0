import { z } from 'zod';
import { displayName, quoteIdent, type QualifiedName } from '../db/quote.js';
import { objectName } from '../migration/names.js';
import type { LockTaken } from '../plan/types.js';
import * as ddl from './support/ddl.js';
import type { OperationDefinition } from './types.js';

export const dropTableSchema = z
  .object({
    op: z.literal('dropTable'),
    table: objectName,
  })
  .strict();

export type DropTable = z.infer<typeof dropTableSchema>;

/**
 * dropTable: nothing before contract, because the old application version may read and write the
 * table until then; at contract, DROP TABLE (brief ACCESS EXCLUSIVE on the table and, verified on
 * PG 15, on every table its foreign keys reference). A table other tables still reference, or that
 * views, rules or policies use, is refused at plan time: dropping it would need CASCADE, which drops
 * things the migration does not name.
 */
export const dropTable: OperationDefinition<DropTable> = {
  schema: dropTableSchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) => `drop table ${spec.table} (at contract)`,
  apply(spec, change) {
    change.dropTable(change.table(spec.table));
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const t: QualifiedName = { schema: table.schema, name: table.name };
    const inbound = table.referencedBy.filter((fk) => fk.table.schema !== t.schema || fk.table.name !== t.name);
    if (inbound.length > 0) {
      ctx.fail(
        'table',
        `${displayName(t)} is referenced by foreign ` +
          `key(s) ${inbound.map((fk) => `${quoteIdent(fk.name)} on ${displayName(fk.table)}`).join(', ')}; ` +
          `drop those first`,
      );
    }
    const users = [
      ...new Set(
        table.dependents
          // The table's own objects go with it, and so does its membership of a publication.
          .filter((d) => !['statistics', 'generated column', 'trigger', 'policy', 'publication'].includes(d.kind))
          .map((d) => `${d.kind} ${d.name}`),
      ),
    ];
    if (users.length > 0)
      ctx.fail(
        'table',
        `${displayName(t)} is used by ${users.join(', ')}; drop those first (DROP TABLE would need CASCADE)`,
      );
    const locks: LockTaken[] = [{ relation: t, mode: 'ACCESS EXCLUSIVE' }];
    for (const fk of table.constraints) {
      if (
        fk.type === 'f' &&
        fk.references &&
        (fk.references.table.schema !== t.schema || fk.references.table.name !== t.name)
      )
        locks.push({ relation: fk.references.table, mode: 'ACCESS EXCLUSIVE' });
    }
    ctx.steps('drop_table', displayName(t)).sql('contract', {
      description:
        `drop table ${displayName(t)} with ` +
        `its ${table.estimatedRows.toLocaleString('en-US')} row(s) (estimated), indexes, ` +
        `constraints, triggers and owned sequences`,
      statements: [ddl.dropTable(t)],
      transactional: true,
      impact: {
        locks,
        lockDuration: 'brief',
        rewritesTable: false,
        scansTable: false,
        estimatedRows: table.estimatedRows,
      },
    });
    ctx.note({
      phase: 'contract',
      text:
        `contract drops ${displayName(t)} and its data for good: ` +
        `run it only when no running application version uses the table, ` +
        `and after a backup if the data matters`,
    });
  },
};

import { z } from 'zod';
import type { TableInfo } from '../db/catalog.js';
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
 * views, rules, policies, functions (its row type), other tables' columns (of its row type, or
 * defaults using its sequences) or inheriting tables use, is refused at plan time naming each:
 * dropping it would need CASCADE, which drops things the migration does not name.
 */
/** ` (e.g. DROP VIEW public.v; DROP FUNCTION public.f(public.t))` for the dependents a plain DROP removes. */
function dropHint(table: TableInfo): string {
  const all = table.tableDependents ?? [];
  // views first: a view may call one of the functions
  const drops = [
    ...all
      .filter((d) => d.kind === 'view')
      .map((d) => `${d.description.startsWith('materialized') ? 'DROP MATERIALIZED VIEW' : 'DROP VIEW'} ${d.name}`),
    ...all.filter((d) => d.kind === 'function').map((d) => `DROP FUNCTION ${d.name}`),
  ];
  return drops.length > 0 ? ` (e.g. ${drops.join('; ')})` : '';
}

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
      ...new Set([
        ...table.dependents
          // The table's own objects go with it, and so does its membership of a publication.
          .filter((d) => !['statistics', 'generated column', 'trigger', 'policy', 'publication'].includes(d.kind))
          .map((d) => `${d.kind} ${d.name}`),
        ...(table.tableDependents ?? []).map((d) => d.description),
      ]),
    ];
    if (users.length > 0)
      ctx.fail(
        'table',
        `${displayName(t)} is used by ${users.join(', ')}: DROP TABLE would need CASCADE, which drops them too. ` +
          `Add a \`sql\` operation before this dropTable that drops or changes them${dropHint(table)}`,
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

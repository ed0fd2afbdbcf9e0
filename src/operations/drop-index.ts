import { z } from 'zod';
import { lookupNamed } from '../db/catalog.js';
import { displayName, quoteIdent, quoteQualified } from '../db/quote.js';
import { objectName } from '../migration/names.js';
import * as ddl from './support/ddl.js';
import { plainIndexColumns } from './support/common.js';
import { briefLocksOn, isPartitioned, lockableTree } from './support/partitions.js';
import { lockTablesStatements } from './support/lock-order.js';
import type { OperationDefinition } from './types.js';

export const dropIndexSchema = z
  .object({
    op: z.literal('dropIndex'),
    /** Index name, schema-qualified or resolved through the search_path. */
    name: objectName,
  })
  .strict();

export type DropIndex = z.infer<typeof dropIndexSchema>;

/**
 * dropIndex: at contract, when no running application version needs the index any more (queries
 * of the old version may depend on it for their plans). `DROP INDEX CONCURRENTLY` outside a
 * transaction: plain DROP INDEX takes ACCESS EXCLUSIVE on the table (verified); CONCURRENTLY
 * takes SHARE UPDATE EXCLUSIVE, and `IF EXISTS` makes a re-run after a crash harmless.
 */
export const dropIndex: OperationDefinition<DropIndex> = {
  schema: dropIndexSchema,
  refs: (spec) => ({ indexes: [spec.name] }),
  summary: (spec) => `drop index ${spec.name}`,
  apply(spec, change) {
    const index = lookupNamed(change.catalog, 'index', spec.name, change.catalog.indexes).value;
    if (index) change.dropIndex(index.table, index.name);
  },
  plan(spec, ctx) {
    const { ref, value: index } = lookupNamed(ctx.catalog, 'index', spec.name, ctx.catalog.indexes);
    if (!index)
      return ctx.fail(
        'name',
        `index ${ref.schema !== undefined ? displayName(ref as { schema: string; name: string }) : quoteIdent(ref.name)} ` +
          `does not exist${ref.schema === undefined ? ` (looked up through the search_path; first schema: ${ctx.catalog.defaultSchema})` : ''}`,
      );
    const qualifiedIndex = { schema: index.schema, name: index.name };
    ctx.notedFolding('name', spec.name, index.name, displayName(qualifiedIndex), 'index');
    const table = ctx.table(quoteQualified(index.table), 'name');
    if (index.constraint) {
      ctx.fail(
        'name',
        `index ${displayName(qualifiedIndex)} implements constraint ${quoteIdent(index.constraint)} ` +
          `of table ${displayName(table)}; dropping it means dropping the constraint (ALTER TABLE ` +
          `... DROP CONSTRAINT in a "sql" operation)`,
      );
    }
    const keyColumns = index.unique ? plainIndexColumns(index.definition) : undefined;
    const sameSet = (cols: string[]) =>
      keyColumns !== undefined && cols.length === keyColumns.length && cols.every((c) => keyColumns.includes(c));
    const inbound = table.referencedBy.filter((fk) => sameSet(fk.referencedColumns));
    if (inbound.length > 0) {
      ctx.fail(
        'name',
        `index ${displayName(qualifiedIndex)} may back foreign ` +
          `key(s) ${inbound.map((fk) => `${quoteIdent(fk.name)} on ${displayName(fk.table)}`).join(', ')}, ` +
          `which reference ${displayName(table)} through it; drop them first`,
      );
    }
    const steps = ctx.steps('drop_index', `${index.schema}.${index.name}`);
    if (isPartitioned(table)) {
      // Postgres has no DROP INDEX CONCURRENTLY for a partitioned index, nor a way to detach a
      // partition's index: the drop takes ACCESS EXCLUSIVE on the table and every partition, briefly.
      // The drop locks each partition's index before its table (the reverse of an application's
      // statement): every table is locked first, root first (lock-order.ts).
      const impact = briefLocksOn(lockableTree(table), 'ACCESS EXCLUSIVE');
      steps.sql('contract', {
        description:
          `drop index ${displayName(qualifiedIndex)} on partitioned ` +
          `table ${displayName(table)} and its partitions' indexes (brief ACCESS EXCLUSIVE on every ` +
          `partition: Postgres cannot drop a partitioned index concurrently)`,
        statements: [...lockTablesStatements(impact.locks, true), ddl.dropIndex(qualifiedIndex, { ifExists: true })],
        transactional: true,
        impact,
      });
    } else {
      steps.sql('contract', {
        description:
          `drop index ${displayName(qualifiedIndex)} on ${displayName(table)} ` +
          `concurrently${index.valid ? '' : ' (it is INVALID)'}`,
        statements: [ddl.dropIndexConcurrently(qualifiedIndex)],
        transactional: false,
        impact: ctx.briefLock(index.table, 'SHARE UPDATE EXCLUSIVE'),
      });
    }
    ctx.note({
      phase: 'contract',
      text:
        `run contract when no running application version relies on ` +
        `index ${displayName(qualifiedIndex)} for its query plans`,
    });
  },
};

import { z } from 'zod';
import type { IndexInfo, TableInfo } from '../db/catalog.js';
import { displayName, quoteIdent, resolveName } from '../db/quote.js';
import { columnName, objectName } from '../migration/names.js';
import type { LockTaken } from '../plan/types.js';
import { plainIndexColumns, qualified } from './support/common.js';
import * as ddl from './support/ddl.js';
import type { OperationDefinition, PlanContext } from './types.js';

export const setReplicaIdentitySchema = z
  .object({
    op: z.literal('setReplicaIdentity'),
    table: objectName,
    /** What logical decoding records of an updated or deleted row's old version. */
    identity: z.enum(['default', 'full', 'nothing', 'index']),
    /** With `identity: "index"`: a unique, non-partial index of the table on NOT NULL columns. */
    index: columnName.optional(),
  })
  .strict();

export type SetReplicaIdentity = z.infer<typeof setReplicaIdentitySchema>;

const CODES = { default: 'd', full: 'f', nothing: 'n', index: 'i' } as const;

/**
 * setReplicaIdentity: one brief `ALTER TABLE ... REPLICA IDENTITY` (ACCESS EXCLUSIVE on the table,
 * SHARE on a USING INDEX index; measured on 15), at contract: the index or the NOT NULL it needs
 * may come from an earlier operation of the same migration (an index built in expand, a primary
 * key attached at switch, a NOT NULL set at contract), and a logical replication consumer keeps
 * receiving the old version's identity for the whole window. Nothing happens before contract, so
 * rollback has nothing to undo. Refused at plan time when Postgres would refuse the index.
 */
export const setReplicaIdentity: OperationDefinition<SetReplicaIdentity> = {
  schema: setReplicaIdentitySchema,
  refs: (spec) => ({ tables: [spec.table] }),
  summary: (spec) =>
    `set the replica identity of ${spec.table} ` +
    `to ${spec.identity === 'index' ? `index ${spec.index ?? '?'}` : spec.identity} (at contract)`,
  apply(spec, change) {
    const table = change.table(spec.table);
    const index =
      spec.index !== undefined
        ? resolveName(
            spec.index,
            table.indexes.map((i) => i.name),
          )
        : null;
    change.alterTable(table, { replicaIdentity: CODES[spec.identity], replicaIdentityIndex: index });
  },
  plan(spec, ctx) {
    const table = ctx.table(spec.table, 'table');
    const t = qualified(table);
    if (table.relkind === 'p')
      ctx.fail(
        'table',
        `${displayName(t)} is partitioned: its replica identity covers no rows (Postgres does not ` +
          `pass it to partitions); set it on each partition`,
      );
    if (spec.identity !== 'index' && spec.index !== undefined)
      ctx.fail('index', `"index" goes with "identity": "index" only (this sets ${spec.identity.toUpperCase()})`);
    const index = spec.identity === 'index' ? identityIndex(ctx, table, spec.index) : undefined;
    if (table.replicaIdentity === CODES[spec.identity] && (!index || table.replicaIdentityIndex === index.name))
      ctx.fail('identity', `${displayName(t)} already has this replica identity`);
    const locks: LockTaken[] = [{ relation: t, mode: 'ACCESS EXCLUSIVE' }];
    if (index) locks.push({ relation: { schema: index.schema, name: index.name }, mode: 'SHARE' });
    const shown = index ? `USING INDEX ${quoteIdent(index.name)}` : spec.identity.toUpperCase();
    ctx.steps('set_replica_identity', `${table.schema}.${table.name}`).sql('contract', {
      description: `set the replica identity of ${displayName(t)} to ${shown}`,
      statements: [ddl.replicaIdentity(t, spec.identity === 'index' ? { index: index!.name } : spec.identity)],
      transactional: true,
      impact: ddl.briefLocks(locks),
    });
    if (spec.identity === 'nothing' || (spec.identity === 'default' && !table.primaryKey))
      ctx.note({
        phase: 'contract',
        text:
          `${displayName(t)} records no old key from contract on: ` +
          `UPDATE and DELETE fail on it while it is in a publication that publishes them`,
      });
  },
};

/** The USING INDEX index: one of the table's, unique, valid, not partial, on plain NOT NULL columns. */
function identityIndex(ctx: PlanContext, table: TableInfo, written: string | undefined): IndexInfo {
  if (written === undefined)
    ctx.fail('index', '"identity": "index" needs "index": the name of a unique index of the table');
  const name = resolveName(
    written,
    table.indexes.map((i) => i.name),
  );
  const index = table.indexes.find((i) => i.name === name);
  if (index) ctx.notedFolding('index', written, name, quoteIdent(name), 'index');
  const where = `index ${quoteIdent(name)}`;
  if (!index)
    ctx.fail(
      'index',
      `${where} does not exist on table ${displayName(table)}${list(table.indexes.map((i) => i.name))}`,
    );
  if (!index.unique) ctx.fail('index', `${where} is not unique; a replica identity index must be`);
  if (!index.valid) ctx.fail('index', `${where} is INVALID (a failed concurrent build): rebuild it first`);
  const columns = plainIndexColumns(index.definition);
  if (!columns) ctx.fail('index', `${where} is partial or on an expression; a replica identity index cannot be`);
  const nullable = columns.filter((c) => !table.columns.find((col) => col.name === c)?.notNull);
  if (nullable.length > 0)
    ctx.fail(
      'index',
      `${where} has nullable columns (${nullable.map(quoteIdent).join(', ')}); ` +
        `a replica identity index needs NOT NULL columns (setNotNull first)`,
    );
  const constraint = table.constraints.find((c) => c.index === index.name);
  if (constraint && /\bDEFERRABLE\b/.test(constraint.definition) && !/\bNOT DEFERRABLE\b/.test(constraint.definition))
    ctx.fail('index', `${where} backs a deferrable constraint; a replica identity index cannot`);
  return index;
}

function list(names: string[]): string {
  return names.length ? ` (it has ${names.map(quoteIdent).join(', ')})` : ' (it has no index)';
}

import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../src/sql/parser.js';
import { catalog, col, constraint, index, planError, planOps, planSql, table } from '../helpers/catalog.js';

beforeAll(() => loadParser());

const fruits = () =>
  table(
    'fruits',
    [col('id', 'bigint', { notNull: true }), col('name', 'text'), col('code', 'text', { notNull: true })],
    {
      indexes: [
        index('fruits_name_key', 'CREATE UNIQUE INDEX fruits_name_key ON public.fruits USING btree (name)', ['name']),
        index('fruits_code_idx', 'CREATE INDEX fruits_code_idx ON public.fruits USING btree (code)', ['code']),
        index('fruits_lower', 'CREATE UNIQUE INDEX fruits_lower ON public.fruits USING btree (lower(code))', ['code']),
        index('fruits_code_def', 'CREATE UNIQUE INDEX fruits_code_def ON public.fruits USING btree (code)', ['code'], {
          constraint: 'fruits_code_def',
        }),
      ],
      constraints: [
        constraint('fruits_code_def', 'u', 'UNIQUE (code) DEFERRABLE', ['code'], { index: 'fruits_code_def' }),
      ],
    },
  );
const cat = () => catalog([{ ...fruits(), replicaIdentity: 'd' as const }]);
const set = (identity: string, extra: object = {}) => ({
  op: 'setReplicaIdentity',
  table: 'fruits',
  identity,
  ...extra,
});
const issues = (ops: unknown[]) => planError(ops, cat()).issues.map((i) => `${i.path}: ${i.message}`);

describe('setReplicaIdentity plans (exact SQL)', () => {
  it('one brief ALTER at contract, nothing to undo; USING INDEX claims the index SHARE', () => {
    const plan = planOps([set('full')], cat());
    expect(planSql(plan)).toEqual([
      { id: 'set_replica_identity:public.fruits:contract:1', sql: ['ALTER TABLE public.fruits REPLICA IDENTITY FULL'] },
    ]);
    expect(plan.steps[0]!.impact.locks).toEqual([
      { relation: { schema: 'public', name: 'fruits' }, mode: 'ACCESS EXCLUSIVE' },
    ]);
    expect(plan.operations[0]!.summary).toBe('set the replica identity of fruits to full (at contract)');
  });

  it('an index made unique and NOT NULL earlier in the same migration: the identity follows at contract', () => {
    const plan = planOps(
      [
        { op: 'setNotNull', table: 'fruits', column: 'name', up: "coalesce(name, 'fruit ' || id)" },
        set('index', { index: 'fruits_name_key' }),
      ],
      cat(),
    );
    const contract = planSql(plan).filter((s) => s.id.includes(':contract:'));
    expect(contract.map((s) => s.id)).toEqual([
      'set_not_null:public.fruits.name:contract:1',
      'set_replica_identity:public.fruits:contract:1',
    ]);
    expect(contract[1]!.sql).toEqual(['ALTER TABLE public.fruits REPLICA IDENTITY USING INDEX fruits_name_key']);
    expect(plan.steps.at(-1)!.impact.locks).toEqual([
      { relation: { schema: 'public', name: 'fruits' }, mode: 'ACCESS EXCLUSIVE' },
      { relation: { schema: 'public', name: 'fruits_name_key' }, mode: 'SHARE' },
    ]);
  });

  it('NOTHING, and DEFAULT without a primary key, are noted: UPDATE and DELETE of a published table fail', () => {
    const plan = planOps([set('nothing')], cat());
    expect(plan.notes.map((n) => n.text)).toEqual([
      'public.fruits records no old key from contract on: UPDATE and DELETE fail on it while it is in a publication that publishes them',
    ]);
  });
});

describe('setReplicaIdentity refuses at plan time what Postgres would refuse', () => {
  it('each index Postgres cannot use, an index without identity index, and no change', () => {
    expect(
      issues([
        set('index'),
        set('index', { index: 'nope' }),
        set('index', { index: 'fruits_code_idx' }),
        set('index', { index: 'fruits_lower' }),
        set('index', { index: 'fruits_name_key' }),
        set('index', { index: 'fruits_code_def' }),
        set('full', { index: 'fruits_name_key' }),
        set('default'),
      ]),
    ).toEqual([
      'operations[0].index: "identity": "index" needs "index": the name of a unique index of the table',
      'operations[1].index: index nope does not exist on table public.fruits (it has fruits_pkey, fruits_name_key, fruits_code_idx, fruits_lower, fruits_code_def)',
      'operations[2].index: index fruits_code_idx is not unique; a replica identity index must be',
      'operations[3].index: index fruits_lower is partial or on an expression; a replica identity index cannot be',
      'operations[4].index: index fruits_name_key has nullable columns (name); a replica identity index needs NOT NULL columns (setNotNull first)',
      'operations[5].index: index fruits_code_def backs a deferrable constraint; a replica identity index cannot',
      'operations[6].index: "index" goes with "identity": "index" only (this sets FULL)',
      'operations[7].identity: public.fruits already has this replica identity',
    ]);
  });

  it('a partitioned table', () => {
    const parted = { ...fruits(), relkind: 'p' };
    expect(planError([set('full')], catalog([parted])).issues[0]!.message).toBe(
      'public.fruits is partitioned: its replica identity covers no rows (Postgres does not pass it to partitions); set it on each partition',
    );
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { BackfillStep } from '../../src/plan/types.js';
import { loadParser } from '../../src/sql/parser.js';
import {
  column,
  eventsFixture as events,
  fakeCatalog,
  indexInfo,
  table,
  ticketsFixture,
} from '../helpers/catalog-literal.js';
import { plan, planIssues, sqlById } from '../helpers/plans.js';

beforeAll(() => loadParser());

/** A table without a primary key: (a int NOT NULL, b text NOT NULL, c text, email text) and the given indexes. */
const heap = (...indexes: ReturnType<typeof indexInfo>[]) =>
  table(
    'heap',
    [
      column('a', 'integer', { notNull: true }),
      column('b', 'text', { notNull: true }),
      column('c', 'text'),
      column('email', 'text'),
    ],
    { indexes },
  );
const rename = [{ op: 'renameColumn', table: 'heap', from: 'email', to: 'email_address' }];
const backfillOf = (p: ReturnType<typeof plan>) => p.steps.find((s): s is BackfillStep => s.kind === 'backfill')!;

describe('backfill of a table without a primary key', () => {
  it('walks a unique index on NOT NULL columns, in its column order, and says so', () => {
    const ba = indexInfo('heap_ba', 'heap', 'b, a', { unique: true, keyColumns: ['b', 'a'], constraint: 'heap_ba' });
    const p = plan(rename, fakeCatalog([heap(ba)]));
    const step = backfillOf(p);
    expect(step.key).toEqual([
      { name: 'b', type: 'text' },
      { name: 'a', type: 'integer' },
    ]);
    expect(step.keyIndex).toBe('heap_ba');
    expect(step.description).toContain(
      'in keyset batches on (b, a) (unique index heap_ba: the table has no primary key)',
    );
    expect(sqlById(p)['backfill:public.heap:backfill:1']![2]).toBe(
      'UPDATE public.heap SET email_address = email WHERE b >= $1::text AND (b, a) > ($1::text, $2::integer) AND b <= $3::text AND (b, a) <= ($3::text, $4::integer) AND (email_address IS DISTINCT FROM email)',
    );
    // The switch verify samples rows by that key.
    const verify = p.steps.find((s) => s.kind === 'verify')!;
    expect(verify.kind === 'verify' && verify.sampleColumns.slice(0, 2)).toEqual(['b', 'a']);
  });

  it('picks the narrowest usable unique index; never one on a nullable column, a predicate or an expression', () => {
    const nullable = indexInfo('heap_c', 'heap', 'c', { unique: true, keyColumns: ['c'] });
    const expression = indexInfo('heap_lower', 'heap', 'b', { unique: true }); // keyColumns absent
    const notUnique = indexInfo('heap_a', 'heap', 'a', { keyColumns: ['a'] });
    const wide = indexInfo('heap_ab', 'heap', 'a, b', { unique: true, keyColumns: ['a', 'b'] });
    const narrow = indexInfo('heap_b', 'heap', 'b', { unique: true, keyColumns: ['b'] });
    const invalid = indexInfo('heap_a_u', 'heap', 'a', { unique: true, keyColumns: ['a'], valid: false });
    const step = backfillOf(plan(rename, fakeCatalog([heap(nullable, expression, notUnique, wide, narrow, invalid)])));
    expect(step.keyIndex).toBe('heap_b');
    expect(step.key).toEqual([{ name: 'b', type: 'text' }]);
  });

  it('keeps the primary key when there is one (no keyIndex in the step)', () => {
    const withPk = table('heap', [column('id', 'bigint', { notNull: true }), column('email', 'text')], {
      primaryKey: { name: 'heap_pkey', columns: ['id'] },
      indexes: [indexInfo('heap_pkey', 'heap', 'id', { unique: true, primary: true, keyColumns: ['id'] })],
    });
    const step = backfillOf(plan(rename, fakeCatalog([withPk])));
    expect(step.key).toEqual([{ name: 'id', type: 'bigint' }]);
    expect(step.keyIndex).toBeUndefined();
  });

  it('a primary-key type change plans when a referencing table has only a unique NOT NULL key', () => {
    const tickets = {
      ...ticketsFixture,
      primaryKey: null,
      constraints: ticketsFixture.constraints,
      indexes: [
        indexInfo('tickets_id_key', 'tickets', 'id', {
          unique: true,
          keyColumns: ['id'],
          constraint: 'tickets_id_key',
        }),
        indexInfo('tickets_event_id_idx', 'tickets', 'event_id', { keyColumns: ['event_id'] }),
      ],
    };
    const p = plan(
      [{ op: 'changeColumnType', table: 'events', column: 'id', type: 'bigint' }],
      fakeCatalog([events, tickets]),
    );
    const step = p.steps.find((s): s is BackfillStep => s.kind === 'backfill' && s.table.name === 'tickets')!;
    expect(step.keyIndex).toBe('tickets_id_key');
    expect(
      backfillOf(
        plan([{ op: 'renameColumn', table: 'tickets', from: 'event_id', to: 'e' }], fakeCatalog([events, tickets])),
      ).keyIndex,
    ).toBe('tickets_id_key');
  });

  it('walks a table with no usable key by block ranges, warns in the plan, and samples rows by ctid', () => {
    const nullable = indexInfo('heap_c', 'heap', 'c', { unique: true, keyColumns: ['c'] });
    const p = plan(rename, fakeCatalog([heap(nullable)]));
    const step = backfillOf(p);
    expect(step).toMatchObject({ walk: 'ctid', key: [] });
    expect(sqlById(p)['backfill:public.heap:backfill:1']).toEqual([
      '-- per batch, in its own transaction with zdm.backfill = on and synchronous_commit = off:',
      "SELECT (s.lo + s.n)::text AS k0, s.last::text AS k1 FROM (SELECT $1::bigint AS lo, $2::bigint AS last, greatest(1, ceil($3::float8 / greatest(1, CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE current_setting('block_size')::int / 32 END)))::bigint AS n FROM pg_class c WHERE c.oid = 'public.heap'::regclass) s WHERE s.lo + s.n < s.last",
      'UPDATE public.heap SET email_address = email WHERE ctid >= $1::tid AND ctid < $2::tid AND (email_address IS DISTINCT FROM email)',
    ]);
    expect(p.notes.find((n) => n.phase === 'backfill')!.text).toMatch(
      /public\.heap has no primary key .* by physical position .* the dual-write trigger writes their new columns itself/,
    );
    const verify = p.steps.find((s) => s.kind === 'verify')!;
    expect(verify.kind === 'verify' && verify.sampleColumns[0]).toBe('ctid');
  });

  it('refuses a walk by position where Postgres has no TID range scan, and on a foreign partition', () => {
    expect(planIssues(rename, fakeCatalog([heap()], 130000))[0]!.message).toMatch(
      /public\.heap has no primary key .*needs a TID range scan \(PostgreSQL 14 and later/,
    );
    const leaf = (name: string, relkind: string) => ({
      schema: 'public',
      name,
      parent: { schema: 'public', name: 'heap' },
      relkind,
      level: 1,
      key: [],
      estimatedRows: 10,
      sizeBytes: 8192,
    });
    const parted = (...leaves: ReturnType<typeof leaf>[]) => ({
      ...heap(),
      relkind: 'p',
      partitioning: { key: ['a'], partitions: leaves },
    });
    expect(planIssues(rename, fakeCatalog([parted(leaf('heap_1', 'r'), leaf('heap_far', 'f'))]))[0]!.message).toMatch(
      /public\.heap has no primary key .* its partition\(s\) public\.heap_far are foreign tables, which cannot be walked by physical position/,
    );
    // Each leaf partition is walked by its own block ranges.
    const p = plan(rename, fakeCatalog([parted(leaf('heap_1', 'r'), leaf('heap_2', 'r'))]));
    expect(backfillOf(p)).toMatchObject({
      walk: 'ctid',
      partitions: [
        { schema: 'public', name: 'heap_1' },
        { schema: 'public', name: 'heap_2' },
      ],
    });
    expect(sqlById(p)['backfill:public.heap:backfill:1']![0]).toBe(
      '-- partition by partition, each batch within one of the 2 leaf partitions (public.heap_1 to public.heap_2); shown for public.heap_1:',
    );
    expect(sqlById(p)['backfill:public.heap:backfill:1']![3]).toMatch(
      /^UPDATE public\.heap_1 SET email_address = email WHERE ctid >= \$1::tid/,
    );
  });

  it('a primary-key type change plans when a referencing table has no key at all', () => {
    const tickets = {
      ...ticketsFixture,
      primaryKey: null,
      indexes: [indexInfo('tickets_event_id_idx', 'tickets', 'event_id')],
    };
    const p = plan(
      [{ op: 'changeColumnType', table: 'events', column: 'id', type: 'bigint' }],
      fakeCatalog([events, tickets]),
    );
    const step = p.steps.find((s): s is BackfillStep => s.kind === 'backfill' && s.table.name === 'tickets')!;
    expect(step.walk).toBe('ctid');
  });
});

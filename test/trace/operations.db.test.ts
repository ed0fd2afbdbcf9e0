import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { compareStep, compareTrace, mismatchText } from '../../src/trace/compare.js';
import type { SqlStep } from '../../src/plan/types.js';
import { Tracer } from '../../src/trace/tracer.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { tempMigrationsDir, testRunner, type TestRunner } from '../helpers/runner.js';

/**
 * The trace harness (src/trace) over the operations that have no example in migrations-examples/
 * (test/examples/examples.db.test.ts traces those): one migration of several operations on a
 * small table, and the partitioned variants, each step's plan `impact` (strongest lock per
 * relation, rewrite yes/no, scan yes/no) equal to what its sessions were seen doing. Most
 * migrations also run to switch, roll back (each undo's own impact checked) and run again to contract.
 */

let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
let runner: TestRunner;
let tracer: Tracer;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('trace-ops');
  await db.query(`
    CREATE TABLE accounts (id bigint PRIMARY KEY, email text, plan text NOT NULL, note text,
                           CONSTRAINT accounts_plan_check CHECK (plan <> ''), CONSTRAINT accounts_note_len CHECK (length(note) < 100));
    INSERT INTO accounts SELECT g, CASE WHEN g % 10 = 0 THEN NULL ELSE 'a' || g END, 'pro', NULL FROM generate_series(1, 2000) g;
    CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, kind text) PARTITION BY RANGE (at);
    CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    INSERT INTO events SELECT g, date '2025-06-01' + (g % 400), CASE WHEN g % 7 = 0 THEN NULL ELSE 'k' END FROM generate_series(1, 2000) g;
    ALTER TABLE accounts ADD COLUMN code varchar(20), ADD COLUMN tag text;
    UPDATE accounts SET code = 'c' || id, tag = 't' || id;
    CREATE TABLE orders (id bigint NOT NULL, at date NOT NULL, account_id bigint NOT NULL, amount integer NOT NULL,
                         ref varchar(20) NOT NULL, note text, label varchar(20), CONSTRAINT orders_amount_check CHECK (amount >= 0))
      PARTITION BY RANGE (at);
    CREATE TABLE orders_2025 PARTITION OF orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE orders_2026 PARTITION OF orders FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY HASH (id);
    CREATE TABLE orders_2026_h0 PARTITION OF orders_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
    CREATE TABLE orders_2026_h1 PARTITION OF orders_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
    CREATE INDEX orders_note ON orders (note);
    INSERT INTO orders SELECT g, date '2025-09-01' + (g % 400), 1 + g % 2000, g % 50, 'r' || g, 'n' || (g % 9), 'l'
      FROM generate_series(1, 4000) g;
    CREATE TABLE hits (path text NOT NULL, ua text);
    INSERT INTO hits SELECT '/p' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'ua' END FROM generate_series(1, 2000) g;
    CREATE TABLE visits (id bigint NOT NULL, at date NOT NULL, page text NOT NULL, agent text NOT NULL, ref text,
                         CONSTRAINT visits_id_check CHECK (id > 0)) PARTITION BY RANGE (at);
    CREATE TABLE visits_2025 PARTITION OF visits FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE visits_2026 PARTITION OF visits FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY HASH (id);
    CREATE TABLE visits_2026_h0 PARTITION OF visits_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
    CREATE TABLE visits_2026_h1 PARTITION OF visits_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
    INSERT INTO visits SELECT g, date '2025-09-01' + (g % 400), '/p' || g, 'ua', NULL FROM generate_series(1, 2000) g;
    CREATE TABLE cards (id int PRIMARY KEY, holder text);
    INSERT INTO cards SELECT g, 'h' || g FROM generate_series(1, 2000) g;
    CREATE TABLE charges (id bigint NOT NULL, at date NOT NULL, card_id int REFERENCES cards (id),
                          CONSTRAINT charges_card_key UNIQUE (card_id, id, at)) PARTITION BY RANGE (at);
    CREATE TABLE charges_2025 PARTITION OF charges FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE charges_2026 PARTITION OF charges FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') PARTITION BY HASH (id);
    CREATE TABLE charges_2026_h0 PARTITION OF charges_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
    CREATE TABLE charges_2026_h1 PARTITION OF charges_2026 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
    INSERT INTO charges SELECT g, date '2025-09-01' + (g % 400), 1 + g % 2000 FROM generate_series(1, 3000) g;
    CREATE TABLE tokens (token text NOT NULL UNIQUE, label text);
    INSERT INTO tokens SELECT 'k' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'l' END FROM generate_series(1, 2000) g;
    ANALYZE;`);
  runner = testRunner(db.url, dir.dir, { batchSize: 50, targetBatchMs: 1 });
  tracer = new Tracer(runner.conn.pool, runner.stateSchema);
  runner.observer = tracer;
});
afterAll(async () => {
  await runner?.close();
  await dir?.remove();
  await db?.drop();
});

async function traced(name: string, operations: object[]): Promise<string[]> {
  await dir.write(`${name}.json`, { operations });
  const from = tracer.traces.length;
  expect(await advance(runner, { until: 'contract' })).toMatchObject({
    kind: 'advanced',
    migration: name,
    complete: true,
  });
  const traces = tracer.traces.slice(from);
  expect(traces.length).toBeGreaterThan(0);
  return traces.flatMap((t) => compareStep(t.step, t).map(mismatchText));
}

/**
 * Forward to switch, rollback (undoing what expand and switch did: nothing for an operation that
 * acts at contract only), forward again to contract: the mismatches of every step, and of every
 * undo that had something to act on (an undo after another one dropped its object, IF EXISTS, locks
 * nothing: not a mismatch).
 */
async function tracedWithRollback(name: string, operations: object[]): Promise<string[]> {
  await dir.write(`${name}.json`, { operations });
  const from = tracer.traces.length;
  expect(await advance(runner, { until: 'switch' })).toMatchObject({ kind: 'advanced', migration: name });
  expect(await rollback(runner)).toMatchObject({ migration: name });
  expect(await advance(runner, { until: 'contract' })).toMatchObject({ migration: name, complete: true });
  return tracer.traces
    .slice(from)
    .flatMap((t) => compareTrace(t).filter((m) => !(t.undo && m.what === 'lock' && m.observed === 'none')))
    .map(mismatchText);
}

// Tables of 2,000-4,000 rows (a smaller one is read by a sequential scan): a lifecycle with rollback
// took over 60 s at load 25.
describe('trace: operations without an example', { timeout: 180_000 }, () => {
  it('setNotNull, dropConstraint, setDefault, renameConstraint, setComment, setReplicaIdentity: observed = planned', async () => {
    const mismatches = await traced('0001_accounts', [
      { op: 'setNotNull', table: 'accounts', column: 'email', up: "coalesce(email, 'none')" },
      { op: 'dropConstraint', table: 'accounts', name: 'accounts_note_len' },
      { op: 'setDefault', table: 'accounts', column: 'plan', default: "'free'" },
      { op: 'renameConstraint', table: 'accounts', from: 'accounts_plan_check', to: 'accounts_plan_nonempty' },
      { op: 'setComment', table: 'accounts', column: 'note', comment: 'free text' },
      { op: 'setReplicaIdentity', table: 'accounts', identity: 'full' },
    ]);
    expect(mismatches).toEqual([]);
  });

  it('setNotNull and setDefault on a partitioned table (its backfill walking partition by partition): observed = planned', async () => {
    const mismatches = await traced('0002_events', [
      { op: 'setNotNull', table: 'events', column: 'kind', up: "coalesce(kind, 'none')" },
      { op: 'setDefault', table: 'events', column: 'kind', default: "'none'" },
    ]);
    expect(mismatches).toEqual([]);
  });

  it('changeColumnType in place (varchar widening): brief; its rollback narrows back by a rewrite, as planned', async () => {
    expect(
      await tracedWithRollback('0003_accounts_code', [
        { op: 'changeColumnType', table: 'accounts', column: 'code', type: 'varchar(40)' },
        { op: 'changeColumnType', table: 'accounts', column: 'tag', type: 'varchar' },
      ]),
    ).toEqual([]);
  });

  it('addPrimaryKey, addUnique, addForeignKey, createIndex on a partitioned table: observed = planned, rollback too', async () => {
    expect(
      await tracedWithRollback('0004_orders_keys', [
        { op: 'addPrimaryKey', table: 'orders', columns: ['id', 'at'] },
        { op: 'addUnique', table: 'orders', name: 'orders_ref_key', columns: ['ref', 'at', 'id'] },
        {
          op: 'addForeignKey',
          table: 'orders',
          name: 'orders_account_fk',
          columns: ['account_id'],
          references: { table: 'accounts', columns: ['id'] },
        },
        { op: 'createIndex', table: 'orders', name: 'orders_account', columns: ['account_id'] },
      ]),
    ).toEqual([]);
  });

  it('changeColumnType (in place and shadow column) and renameColumn on a partitioned table: observed = planned, rollback too', async () => {
    expect(
      await tracedWithRollback('0005_orders_columns', [
        { op: 'changeColumnType', table: 'orders', column: 'label', type: 'varchar(40)' },
        { op: 'changeColumnType', table: 'orders', column: 'amount', type: 'bigint' },
        { op: 'renameColumn', table: 'orders', from: 'note', to: 'remark' },
      ]),
    ).toEqual([]);
  });

  it('dropIndex and dropConstraint on a partitioned table: observed = planned', async () => {
    expect(
      await traced('0006_orders_drops', [
        { op: 'dropIndex', name: 'orders_account' },
        { op: 'dropConstraint', table: 'orders', name: 'orders_ref_key' },
      ]),
    ).toEqual([]);
  });

  it('backfills walking a table by ctid (no key) and by a unique NOT NULL index (no primary key): observed = planned', async () => {
    expect(
      await traced('0007_keyless', [
        { op: 'setNotNull', table: 'hits', column: 'ua', up: "coalesce(ua, 'none')" },
        { op: 'setNotNull', table: 'tokens', column: 'label', up: "coalesce(label, 'none')" },
      ]),
    ).toEqual([]);
    const walks = tracer.traces.filter((t) => t.step.kind === 'backfill').map((t) => t.step);
    expect(
      walks.map((s) => (s.kind === 'backfill' ? [s.table.name, s.walk ?? 'key', s.keyIndex ?? null] : [])),
    ).toEqual(
      expect.arrayContaining([
        ['hits', 'ctid', null],
        ['tokens', 'key', 'tokens_token_key'],
      ]),
    );
  });

  it('transformColumn on a partitioned table (sub-partitioned): every partition locked at expand and contract, as planned', async () => {
    expect(
      await traced('0008_orders_transform', [
        {
          op: 'transformColumn',
          table: 'orders',
          from: ['amount'],
          to: [{ name: 'amount_cents', type: 'bigint', up: 'amount * 100' }],
          down: { amount: '(amount_cents / 100)::bigint' },
          dropOld: true,
        },
      ]),
    ).toEqual([]);
  });

  it('fill triggers on a partitioned table (addColumn, dropColumn, dropNotNull with a value): every partition locked, as planned, rollback too', async () => {
    // CREATE TRIGGER on a partitioned table clones the trigger to every partition (SHARE ROW
    // EXCLUSIVE on each); ADD / DROP COLUMN and SET / DROP NOT NULL recurse (ACCESS EXCLUSIVE on each).
    expect(
      await tracedWithRollback('0009_visits_fill', [
        { op: 'addColumn', table: 'visits', column: { name: 'src', type: 'text', nullable: false }, up: "'s' || id" },
        { op: 'addColumn', table: 'visits', column: { name: 'seen', type: 'boolean', default: 'true' } },
        { op: 'dropNotNull', table: 'visits', column: 'page', down: "'/'" },
        { op: 'dropColumn', table: 'visits', column: 'agent', down: "'none'" },
        { op: 'dropColumn', table: 'visits', column: 'ref' },
      ]),
    ).toEqual([]);
  });

  it('addCheck, dropDefault, renameConstraint, setComment on a partitioned table: the statements that recurse lock every partition, as planned', async () => {
    expect(
      await tracedWithRollback('0010_visits_constraints', [
        { op: 'addCheck', table: 'visits', name: 'visits_src_check', expression: "src <> ''" },
        { op: 'dropDefault', table: 'visits', column: 'seen' },
        { op: 'renameConstraint', table: 'visits', from: 'visits_id_check', to: 'visits_id_positive' },
        { op: 'setComment', table: 'visits', column: 'src', comment: 'where from' },
      ]),
    ).toEqual([]);
  });

  it('changeColumnType of a key referenced from a partitioned table (its foreign key and unique key re-created per partition): observed = planned, rollback too', async () => {
    expect(
      await tracedWithRollback('0011_cards_id', [
        { op: 'changeColumnType', table: 'cards', column: 'id', type: 'bigint' },
      ]),
    ).toEqual([]);
  });

  it('a deliberately wrong claim fails: a lock left out, a scan or a rewrite denied (on the traces above)', () => {
    const forward = tracer.traces.filter((t) => !t.undo);
    const locking = forward.filter((t) => t.locks.some((l) => l.existed && ['r', 'p'].includes(l.relkind)));
    const scanning = forward.filter((t) => t.scanned.length > 0);
    expect(locking.length).toBeGreaterThan(10);
    expect(scanning.length).toBeGreaterThan(0);
    const wrong = (t: (typeof forward)[number], impact: object) =>
      compareStep({ ...t.step, impact: { ...t.step.impact, ...impact } }, t).map((m) => m.what);
    for (const t of locking) expect(wrong(t, { locks: [] })).toContain('lock');
    for (const t of scanning) expect(wrong(t, { scansTable: false })).toContain('scan');
    const undoRewrites = tracer.traces.filter((t) => t.undo && t.rewritten.length > 0);
    expect(undoRewrites.map((t) => t.step.id)).toContain('change_column_type:public.accounts.code:expand:1');
    // The fast path's undo as the plan claimed it before (brief, no rewrite) is caught.
    for (const t of undoRewrites) {
      const step = t.step as SqlStep;
      const brief = { ...step.undo!.impact!, lockDuration: 'brief' as const, rewritesTable: false };
      const claimedBrief = { ...t, step: { ...step, undo: { ...step.undo!, impact: brief } } };
      expect(compareTrace(claimedBrief).map((m) => m.what)).toContain('rewrite');
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { compareStep, mismatchText } from '../../src/trace/compare.js';
import { Tracer } from '../../src/trace/tracer.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { tempMigrationsDir, testRunner, type TestRunner } from '../helpers/runner.js';

/**
 * The trace harness (src/trace) over the operations that have no example in migrations-examples/
 * (test/examples/examples.db.test.ts traces those): one migration of several operations on a
 * small table, and the partitioned variants, each step's plan `impact` (strongest lock per
 * relation, rewrite yes/no, scan yes/no) equal to what its sessions were seen doing.
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

describe('trace: operations without an example', () => {
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
});

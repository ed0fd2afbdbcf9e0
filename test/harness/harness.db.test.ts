import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from './database.js';
import { startWorkload } from '../helpers/apps.js';
import { waitForWork } from '../helpers/workload.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

describe('test harness', () => {
  it('gives each file its own database on a primary with a streaming replica', async () => {
    await db.query('CREATE TABLE t (id int PRIMARY KEY)');
    await db.query('INSERT INTO t SELECT generate_series(1, 100)');
    const [row] = await db.query<{ db: string; recovery: boolean }>(
      'SELECT current_database() AS db, pg_is_in_recovery() AS recovery',
    );
    expect(row).toEqual({ db: db.name, recovery: false });
    if (!db.replicaUrl) return;
    await db.waitForReplica();
    const pg = (await import('pg')).default;
    const replica = new pg.Client({ connectionString: db.replicaUrl });
    await replica.connect();
    const { rows } = await replica.query('SELECT count(*)::int AS n, pg_is_in_recovery() AS recovery FROM t');
    await replica.end();
    expect(rows[0]).toEqual({ n: 100, recovery: true });
  });

  it('fails a test application query that waits on a lock past its bound (what expectNoLongLockWait relies on)', async () => {
    await db.query('CREATE TABLE locked (id int)');
    const app = startWorkload({
      url: db.url,
      name: 'bounded',
      connections: 1,
      lockTimeoutMs: 200,
      queries: [() => ({ text: 'INSERT INTO locked VALUES (1)' })],
    });
    const holder = await db.pool.connect();
    try {
      await waitForWork(app, 1);
      // Held until the app's query gave up: how soon it tries does not matter.
      await holder.query('BEGIN; LOCK TABLE locked IN ACCESS EXCLUSIVE MODE');
      await waitForWork(app, 1_000_000);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
      await app.stop();
    }
    expect(app.stats.lockTimeoutMs).toBe(200);
    expect(app.stats.errors[0]).toMatch(/canceling statement due to lock timeout/);
  });
});

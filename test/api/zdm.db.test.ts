import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, createZdm, LockHeldError, UsageError, type RunnerEvent, type Zdm } from '../../src/index.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/** The library API (issue 14) on a real database: typed results, typed errors, events, settings validation. */
let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
const open: Zdm[] = [];

const settings = { lockTimeout: '2s', gateTimeout: '10s', maxLag: '5s', batchSize: 200 } as const;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('api');
  await db.query(`CREATE TABLE users (id bigserial PRIMARY KEY, user_email text NOT NULL)`);
  await db.query(`INSERT INTO users (user_email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 3000) g`);
  await dir.write('0001_rename.json', {
    operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email' }],
  });
});

afterAll(async () => {
  for (const z of open) await z.close();
  await dir?.remove();
  await db?.drop();
});

function zdm(extra: Parameters<typeof createZdm>[0] = {}): Zdm {
  const z = createZdm({ databaseUrl: db.url, migrationsDir: dir.dir, ...settings, ...extra });
  open.push(z);
  return z;
}

const columns = async () =>
  (
    await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`,
    )
  ).map((r) => r.column_name);

describe('createZdm', () => {
  it('refuses settings the config file schema refuses, naming the key', () => {
    expect(() => createZdm({ databaseUrl: db.url, batchSize: -1 })).toThrow(ConfigError);
    expect(() => createZdm({ databaseUrl: db.url, batchSize: -1 })).toThrow(/createZdm: batchSize/);
    expect(() => createZdm({ databaseUrl: db.url, maxLag: 'soon' })).toThrow(/createZdm: maxLag/);
    expect(() => createZdm({ databaseUrl: db.url, ...({ nope: 1 } as object) })).toThrow(/nope/);
    expect(() => createZdm({ databaseUrl: db.url, pool: new pg.Pool() })).toThrow(/databaseUrl or pool/);
  });

  it('plans, advances phase by phase with events, pauses, resumes, rolls back and finishes', async () => {
    const seen: RunnerEvent[] = [];
    const z = zdm({ onEvent: (e) => seen.push(e) });
    const iterated: RunnerEvent[] = [];
    const reading = (async () => {
      for await (const e of z.events()) iterated.push(e);
    })();

    const plan = await z.plan();
    expect(plan.kind).toBe('planned');
    expect(plan.kind === 'planned' && plan.plan.migration).toBe('0001_rename');

    expect(await z.advance()).toMatchObject({ kind: 'advanced', ran: ['expand'], phase: 'expand' });
    expect(await columns()).toEqual(['id', 'user_email', 'email']);
    expect(await z.pause({ reason: 'peak hours' })).toEqual({
      kind: 'paused',
      migration: '0001_rename',
      paused: true,
      reason: 'peak hours',
    });
    const paused = await z.status();
    expect(paused.migrations[0]).toMatchObject({ status: 'active', phase: 'expand', paused: true });
    expect(await z.resume()).toMatchObject({ kind: 'resumed', paused: false });
    expect(await z.tune({ batchSize: 100 })).toEqual({
      kind: 'tuned',
      migration: '0001_rename',
      control: { batchSize: 100 },
    });

    const rolled = await z.rollback();
    expect(rolled.kind).toBe('rolled-back');
    expect(await columns()).toEqual(['id', 'user_email']);

    expect(await z.advance({ until: 'contract' })).toMatchObject({
      kind: 'advanced',
      ran: ['expand', 'backfill', 'switch', 'contract'],
      complete: true,
    });
    expect(await columns()).toEqual(['id', 'email']);
    expect(await z.advance()).toEqual({ kind: 'nothing-pending' });
    expect(await z.plan()).toEqual({ kind: 'nothing-pending' });

    await z.close();
    await reading;
    expect(seen.map((e) => e.type)).toContain('backfill-progress');
    expect(seen.filter((e) => e.type === 'phase-done').map((e) => e.type === 'phase-done' && e.phase)).toEqual([
      'expand',
      'expand',
      'backfill',
      'switch',
      'contract',
    ]);
    expect(iterated).toEqual(seen);
  });

  it('returns "locked" when another runner holds the lock, and lint findings as a result', async () => {
    await dir.write('0002_email_index.json', {
      operations: [{ op: 'createIndex', table: 'users', columns: ['email'], name: 'users_email_idx' }],
    });
    const holder = zdm({ label: 'holder' });
    const other = zdm();
    // Hold the runner lock from a second session: take it the way a runner does.
    const client = new pg.Client({ connectionString: db.url, application_name: 'zdm advance test-holder' });
    await client.connect();
    const { lockKey } = await import('../../src/runner/lock.js');
    await client.query('SELECT pg_advisory_lock($1, $2)', [0x7a646d, lockKey('zdm')]);
    try {
      const result = await other.advance();
      expect(result.kind).toBe('locked');
      expect(result.kind === 'locked' && result.holder?.applicationName).toBe('zdm advance test-holder');
      expect(result.kind === 'locked' && result.message).toMatch(/holds the migration lock/);
    } finally {
      await client.end();
    }
    expect(await holder.advance({ until: 'contract' })).toMatchObject({ kind: 'advanced', complete: true });
    // Nothing active is an expected outcome: a result, not a throw.
    expect(await holder.rollback()).toEqual({ kind: 'nothing-active', message: 'no active migration to roll back' });
    expect(await holder.pause()).toEqual({ kind: 'nothing-active', message: 'no active migration' });
    expect(await holder.resume()).toMatchObject({ kind: 'nothing-active' });
    expect(await holder.tune({ batchSize: 10 })).toMatchObject({ kind: 'nothing-active' });
    await expect(holder.tune({ batchSize: -1 })).rejects.toThrow(UsageError);
    expect(LockHeldError).toBeDefined();

    const lint = await holder.lint({ sql: 'ALTER TABLE users ADD COLUMN n int NOT NULL DEFAULT random()' });
    expect(lint.kind).toBe('blocked');
    expect(lint.errors).toBeGreaterThan(0);
    const clean = await holder.lint({ sql: 'CREATE INDEX CONCURRENTLY users_id_idx ON users (id);' });
    expect(clean).toMatchObject({ kind: 'clean', errors: 0, warnings: 0 });
    expect((await holder.lint([dir.dir])).files).toBe(2);
  });

  it('runs migrations given as objects on a pool the caller owns, and leaves the pool open', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await pool.query(`CREATE TABLE notes (id int PRIMARY KEY, body text)`);
    const z = createZdm({
      pool,
      stateSchema: 'zdm_objects',
      migrations: [
        {
          name: '0001_notes_title',
          migration: { operations: [{ op: 'addColumn', table: 'notes', column: { name: 'title', type: 'text' } }] },
        },
      ],
    });
    expect(await z.advance({ until: 'contract' })).toMatchObject({ kind: 'advanced', complete: true });
    const status = await z.status();
    expect(status.migrations).toMatchObject([
      { name: '0001_notes_title', status: 'complete', file: 'memory:0001_notes_title' },
    ]);
    await z.close();
    expect((await pool.query(`SELECT count(*)::int AS n FROM zdm_objects.migrations`)).rows[0]).toEqual({ n: 1 });
    await pool.end();
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertWalSafety, createBackfillThrottle } from '../../src/backfill/gates.js';
import type { BackfillStep } from '../../src/plan/types.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { tempMigrationsDir, testRunner, type TestRunner } from '../helpers/runner.js';
import type { SafetySettings } from '../../src/exec/context.js';

let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
const runners: TestRunner[] = [];
const clients: pg.Client[] = [];

// Only the fields the gates read.
const step = {
  id: 'backfill:public.items:backfill:1',
  kind: 'backfill',
  phase: 'backfill',
  table: { schema: 'public', name: 'items' },
} as unknown as BackfillStep;
const noPause = async () => null;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('signals');
  await db.query(`CREATE TABLE items (id int PRIMARY KEY, v int)`);
  await db.query(`INSERT INTO items SELECT g, g FROM generate_series(1, 100) g`);
  await db.query(`CREATE TABLE throttle_flag (on_hold boolean)`);
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  for (const r of runners) await r.close();
  await dir?.remove();
  await db?.drop();
});

function runner(settings: Partial<SafetySettings> = {}): TestRunner {
  const r = testRunner(db.url, dir.dir, settings);
  runners.push(r);
  return r;
}

async function session(name: string): Promise<pg.Client & { pid: number }> {
  const c = new pg.Client({ connectionString: db.url, application_name: name });
  c.on('error', () => undefined);
  await c.connect();
  clients.push(c);
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return Object.assign(c, { pid });
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await sleep(100);
  }
}

describe('backfill throttle signals', () => {
  it('pauses while a session waits for a lock on the table', async () => {
    const throttle = createBackfillThrottle(runner(), step, noPause);
    try {
      expect((await throttle.check()).open).toBe(true);
      const holder = await session('app holder');
      const waiter = await session('app waiter');
      await holder.query(`BEGIN; LOCK TABLE items IN SHARE MODE`);
      const blocked = waiter.query(`UPDATE items SET v = v + 1 WHERE id = 1`);
      const v = await until(
        () => throttle.check(),
        (x) => !x.open,
      );
      expect(v.reason).toMatch(
        /^1 session waits for a lock on public\.items or held by the backfill \(longest for (\d+ms|[\d.]+s); limit: none may wait\)$/,
      );
      await holder.query('COMMIT');
      await blocked;
      expect(
        (
          await until(
            () => throttle.check(),
            (x) => x.open,
          )
        ).open,
      ).toBe(true);
    } finally {
      await throttle.close();
    }
  });

  it("counts sessions waiting on a row lock held by the backfill's own session", async () => {
    const backfill = await session('zdm backfill stand-in');
    const throttle = createBackfillThrottle(runner(), step, noPause, { ownPids: () => [backfill.pid] });
    try {
      await backfill.query(`BEGIN; UPDATE items SET v = v WHERE id = 2`);
      const app = await session('app');
      const blocked = app.query(`UPDATE items SET v = 0 WHERE id = 2`);
      const v = await until(
        () => throttle.check(),
        (x) => !x.open,
      );
      expect(v.reason).toMatch(/^1 session waits for a lock on public\.items or held by the backfill/);
      await backfill.query('COMMIT');
      await blocked;
      expect(
        (
          await until(
            () => throttle.check(),
            (x) => x.open,
          )
        ).open,
      ).toBe(true);
    } finally {
      await throttle.close();
    }
  });

  it('pauses while a transaction is older than --max-xact-age (not counting idle sessions or zdm itself)', async () => {
    const ctx = runner({ maxXactAgeMs: 500 });
    const throttle = createBackfillThrottle(ctx, step, noPause);
    try {
      const idle = await session('idle app');
      await idle.query('SELECT 1');
      // zdm's own sessions (same application_name) are left out.
      const own = await ctx.conn.pool.connect();
      await own.query('BEGIN; SELECT 1');
      const old = await session('report job');
      await old.query('BEGIN; SELECT 1');
      await sleep(800);
      const v = await until(
        () => throttle.check(),
        (x) => !x.open,
      );
      expect(v.reason).toMatch(
        new RegExp(
          `^the oldest transaction \\(pid ${old.pid}, report job, idle in transaction\\) has been open (\\d+ms|[\\d.]+s) \\(limit 500ms\\)`,
        ),
      );
      expect(v.reason).toContain('--max-xact-age 0 disables');
      await old.query('COMMIT');
      expect(
        (
          await until(
            () => throttle.check(),
            (x) => x.open,
          )
        ).open,
      ).toBe(true);
      await own.query('COMMIT');
      own.release();
    } finally {
      await throttle.close();
    }
  });

  it('pauses while --throttle-query returns true, and on its errors', async () => {
    const throttle = createBackfillThrottle(
      runner({ throttleQuery: 'SELECT count(*) FROM throttle_flag WHERE on_hold' }),
      step,
      noPause,
    );
    const failing = createBackfillThrottle(
      runner({ throttleQuery: 'SELECT no_such_column FROM throttle_flag' }),
      step,
      noPause,
    );
    try {
      expect((await throttle.check()).open).toBe(true);
      await db.query(`INSERT INTO throttle_flag VALUES (true)`);
      const v = await until(
        () => throttle.check(),
        (x) => !x.open,
      );
      expect(v.reason).toBe('the throttle query returned 1 (pauses on true or a number > 0)');
      await db.query(`UPDATE throttle_flag SET on_hold = false`);
      expect(
        (
          await until(
            () => throttle.check(),
            (x) => x.open,
          )
        ).open,
      ).toBe(true);
      expect(await failing.check()).toMatchObject({
        open: false,
        reason: 'the throttle query failed: column "no_such_column" does not exist (pausing until it succeeds)',
      });
    } finally {
      await throttle.close();
      await failing.close();
    }
  });
});

describe('WAL safety before a backfill', () => {
  it('passes when every streaming replica has an unlimited slot (the harness replica streams through one)', async () => {
    if (!db.slotName) return;
    const standbys = await db.query<{ slot: string | null }>(
      `SELECT s.slot_name AS slot FROM pg_stat_replication r LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid`,
    );
    expect(standbys.map((s) => s.slot)).toContain(db.slotName);
    const estimate = await assertWalSafety(runner(), step, 100);
    expect(estimate.rows).toBe(100);
    expect(estimate.bytesPerRow).toBeGreaterThan(200);
  });
});

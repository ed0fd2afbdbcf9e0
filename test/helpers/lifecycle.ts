import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Phase } from '../../src/plan/types.js';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { NoActiveMigrationError } from '../../src/errors.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { expectNoLongLockWait, type AppClient, type AppStats } from './apps.js';
import { tempMigrationsDir, testRunner, type TestRunner } from './runner.js';
import { tableSnapshot, type TableSnapshot } from './schema.js';
import { killStarted, waitFor } from './cli.js';
import { MIN_OPS, stopAll } from './workload.js';

export type LifecyclePoint = Phase | 'rollback';

export interface LifecycleOptions {
  db: TestDatabase;
  runner: TestRunner;
  /** Tables whose schema must be exactly as before after rollback. */
  tables: string[];
  /** The application version running before the migration: from before expand until contract. */
  oldApp: () => AppClient;
  /** The version for the new shape: started after each expand, stopped before rollback, runs through contract. */
  newApp: () => AppClient;
  /** Data checks after each phase and after the rollback, while the applications run. */
  check?: (point: LifecyclePoint) => Promise<void>;
  /** Between a phase and the checks, so both versions write against the new state. */
  settleMs?: number;
  /**
   * The rollback cannot finish while the new version's writes are in the table (a relaxed NOT NULL
   * with NULL rows): called with the error, it fixes the data; the rollback then runs again.
   */
  repairBeforeRollback?: (error: Error) => Promise<void>;
}

/** The version only ever succeeded and no query waited on a lock past what the lock timeout allows. */
export function expectHealthy(stats: AppStats, lockTimeoutMs: number, point: string): void {
  expectNoLongLockWait(stats, lockTimeoutMs, `${stats.name} app (at ${point})`);
}

async function snapshots(db: TestDatabase, tables: string[]): Promise<Record<string, TableSnapshot>> {
  const out: Record<string, TableSnapshot> = {};
  for (const t of tables) out[t] = await tableSnapshot(db.pool, t);
  return out;
}

/**
 * The whole life of the runner's next migration under traffic: expand -> rollback -> expand ->
 * backfill -> switch -> contract, with an old-version and a new-version client writing
 * concurrently, asserting at every point that both succeed and never wait on a lock longer than the
 * lock timeout allows (expectNoLongLockWait), and that rollback restores every table's schema exactly.
 */
export async function runLifecycle(o: LifecycleOptions): Promise<{
  before: Record<string, TableSnapshot>;
  after: Record<string, TableSnapshot>;
  oldApp: AppStats;
  newApp: AppStats;
}> {
  // Whatever fails, no simulated client is left running (it would keep the test worker busy).
  const started: AppClient[] = [];
  const start = (factory: () => AppClient) => {
    const app = factory();
    started.push(app);
    return app;
  };
  try {
    return await lifecycle(o, start);
  } finally {
    await Promise.all(started.map((app) => app.stop()));
  }
}

async function lifecycle(o: LifecycleOptions, start: (factory: () => AppClient) => AppClient) {
  const limit = o.runner.settings.lockTimeoutMs;
  // Wait until every running version has done some work against the new state (not a fixed
  // sleep: on a loaded machine a client can take a while to connect).
  const settle = async (...apps: AppClient[]) => {
    const from = apps.map((a) => a.stats.ops + a.stats.errors.length);
    await sleep(o.settleMs ?? 300);
    await waitFor(
      'every application version to do some work',
      async () => (apps.every((a, i) => a.stats.ops + a.stats.errors.length >= from[i]! + MIN_OPS) ? true : undefined),
      120_000,
    );
  };
  const before = await snapshots(o.db, o.tables);
  const oldApp = start(o.oldApp);
  let newApp: AppClient;
  const healthy = async (point: LifecyclePoint, ...apps: AppClient[]) => {
    await settle(...apps);
    for (const app of apps) expectHealthy(app.stats, limit, point);
    await o.check?.(point);
    for (const app of apps) expectHealthy(app.stats, limit, point);
  };
  await settle(oldApp);

  expect(await advance(o.runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
  newApp = start(o.newApp);
  await healthy('expand', oldApp, newApp);

  // Rollback before contract: the new version goes first (it was never really deployed).
  expectHealthy(await newApp.stop(), limit, 'expand');
  try {
    await rollback(o.runner);
  } catch (err) {
    if (!o.repairBeforeRollback) throw err;
    await o.repairBeforeRollback(err as Error);
    await rollback(o.runner);
  }
  expect(await snapshots(o.db, o.tables)).toEqual(before);
  await healthy('rollback', oldApp);

  expect(await advance(o.runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
  newApp = start(o.newApp);
  await healthy('expand', oldApp, newApp);
  expect(await advance(o.runner)).toMatchObject({ kind: 'advanced', ran: ['backfill'] });
  await healthy('backfill', oldApp, newApp);
  expect(await advance(o.runner)).toMatchObject({ kind: 'advanced', ran: ['switch'] });
  await healthy('switch', oldApp, newApp);

  // Contract: only the new version runs.
  const oldStats = await oldApp.stop();
  expectHealthy(oldStats, limit, 'switch');
  expect(await advance(o.runner)).toMatchObject({ kind: 'advanced', ran: ['contract'], complete: true });
  await healthy('contract', newApp);
  const newStats = await newApp.stop();
  expect(oldStats.ops, 'old app did some work').toBeGreaterThanOrEqual(MIN_OPS);
  expect(newStats.ops, 'new app did some work').toBeGreaterThanOrEqual(MIN_OPS);
  return { before, after: await snapshots(o.db, o.tables), oldApp: oldStats, newApp: newStats };
}

/**
 * A migrations directory holding `files` (name -> JSON object or text), and a runner on it for
 * the duration of `fn`. Migration names share one state schema per database: keep them unique.
 */
export async function withMigrations<T>(
  db: TestDatabase,
  files: Record<string, object | string>,
  fn: (runner: TestRunner, dir: string) => Promise<T>,
): Promise<T> {
  const dir = await tempMigrationsDir(Object.keys(files)[0]!.replace(/\.\w+$/, ''));
  const runner = testRunner(db.url, dir.dir);
  try {
    for (const [name, content] of Object.entries(files)) await dir.write(name, content);
    return await fn(runner, dir.dir);
  } finally {
    await runner.close();
    await dir.remove();
  }
}

/** One number from a query such as `SELECT count(*) AS n FROM ...`. */
export async function count(db: TestDatabase, sql: string): Promise<number> {
  return Number((await db.query<{ n: string }>(sql))[0]!.n);
}

/**
 * Runs the runner's next migration up to `until` (before contract), rolls it back, and asserts
 * every table's schema is exactly as before: for operations whose switch steps have an undo.
 */
export async function expectRollbackFrom(
  o: { db: TestDatabase; runner: TestRunner; tables: string[] },
  until: Exclude<Phase, 'contract'>,
): Promise<void> {
  const before = await snapshots(o.db, o.tables);
  expect(await advance(o.runner, { until })).toMatchObject({ kind: 'advanced', phase: until });
  expect(await snapshots(o.db, o.tables)).not.toEqual(before);
  await rollback(o.runner);
  expect(await snapshots(o.db, o.tables)).toEqual(before);
}

/**
 * A database for one lifecycle test file (created before its tests, dropped after), and scenarios
 * in it: setup SQL plus one migration file in its own directory, with a runner. Scenarios in one
 * file run one after the other (one active migration per schema).
 */
export interface LifecycleContext {
  db: TestDatabase;
  scenario(label: string, setup: string, operations: unknown[]): Promise<TestRunner>;
  /** Rows returned by a query. */
  count(sql: string): Promise<number>;
}

/**
 * After a failed case, stops what it started (simulated clients, zdm child processes) and rolls
 * back the migration it left active, so the file's later cases do not fail on it ("active
 * migration file missing", a runner locked out). Rollback reads the plan from zdm's state, so the
 * case's own migration files are not needed. Passing cases are left as they are.
 */
export function rollBackAfterFailure(db: () => TestDatabase): void {
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    await stopAll();
    await killStarted();
    const dir = await tempMigrationsDir('cleanup');
    const runner = testRunner(db().url, dir.dir);
    try {
      await rollback(runner, { lockWaitMs: 30_000 });
    } catch (err) {
      if (!(err instanceof NoActiveMigrationError)) throw err;
    } finally {
      await runner.close();
      await dir.remove();
    }
  });
}

export function useLifecycleDatabase(fileUrl: string): LifecycleContext {
  const cleanup: (() => Promise<void>)[] = [];
  const ctx = {
    db: undefined as unknown as TestDatabase,
    async scenario(label: string, setup: string, operations: unknown[]) {
      if (setup) await ctx.db.query(setup);
      const dir = await tempMigrationsDir(label);
      await dir.write(`0001_${label}.json`, { operations });
      const runner = testRunner(ctx.db.url, dir.dir);
      cleanup.push(
        () => runner.close(),
        () => dir.remove(),
      );
      return runner;
    },
    async count(sql: string) {
      return Number((await ctx.db.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) x`))[0]!.n);
    },
  };
  beforeAll(async () => {
    ctx.db = await createTestDatabase(testLabel(fileUrl));
  });
  rollBackAfterFailure(() => ctx.db);
  afterAll(async () => {
    // Clients still running after a failed assertion would spin against a dropped database.
    await stopAll();
    for (const fn of cleanup.reverse()) await fn();
    await ctx.db?.drop();
  });
  return ctx;
}

export const pause = (ms = 400) => new Promise((r) => setTimeout(r, ms));

import type pg from 'pg';
import { expect } from 'vitest';
import { startClients } from '../../src/demo/app-client.js';
import { APP_LOCK_WAIT_LIMIT_MS, APP_THINK_MS, expectNoLongLockWait, type AppClient, type AppStats } from './apps.js';
import { waitFor } from './cli.js';

const started = new Set<AppClient>();

/** Registers a client so stopAll() ends it (call stopAll in afterAll: a failed test leaves clients running). */
export function track(app: AppClient): AppClient {
  started.add(app);
  return app;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((a) => a.stop()));
  started.clear();
}

/**
 * An application version with its own queries (startApp's fixed insert/update/read loop does not
 * fit every schema), stopped by stopAll() if a test fails first.
 */
export function startWorkload(options: {
  url: string;
  name: string;
  connections?: number;
  thinkMs?: number;
  step: (client: pg.Client, i: number, worker: number) => Promise<unknown>;
}): AppClient {
  return track(
    startClients({ lockTimeoutMs: APP_LOCK_WAIT_LIMIT_MS, ...options, thinkMs: options.thinkMs ?? APP_THINK_MS }),
  );
}

/** Work a client must have done (since it started) before a test stops it and judges its statistics. */
export const MIN_OPS = 10;

/**
 * Waits until the client has done `minOps` more operations (or failed one) from now, so it has
 * worked against the current state: how much work fits in a time window depends on how busy the
 * machine is, so a test waits for the work instead of sleeping and counting.
 */
export async function waitForWork(app: AppClient, minOps = MIN_OPS): Promise<void> {
  const from = app.stats.ops;
  await waitFor(
    `${app.stats.name} to do ${minOps} operations`,
    async () => (app.stats.ops >= from + minOps || app.stats.errors.length > 0 ? true : undefined),
    120_000,
  );
}

/** Stops the client after waitForWork (stopped also when the wait fails). */
export async function stopAfterWork(app: AppClient, minOps = MIN_OPS): Promise<AppStats> {
  try {
    await waitForWork(app, minOps);
  } finally {
    await app.stop();
  }
  return app.stats;
}

/** The client succeeded, did some work, and no query waited on a lock past what the lock timeout allows. */
export function expectClean(stats: AppStats, lockTimeoutMs: number): void {
  expectNoLongLockWait(stats, lockTimeoutMs, stats.name);
  expect(stats.ops, `${stats.name} did some work`).toBeGreaterThanOrEqual(MIN_OPS);
}

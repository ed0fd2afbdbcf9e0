/** The simulated application clients live in src/demo (the demo uses them too). */
import { expect } from 'vitest';
import {
  startApp as startDemoApp,
  startWorkload as startDemoWorkload,
  type AppClient,
  type AppStats,
} from '../../src/demo/app-client.js';
import { TEST_SETTINGS } from './runner.js';

export { type AppClient, type AppQuery, type AppStats } from '../../src/demo/app-client.js';

/**
 * An application query queued behind zdm's lock request waits at most zdm's lock timeout, as zdm's
 * request gives up then; if zdm's request is granted instead, the query also waits while zdm holds
 * the lock for its catalog-only change. Twice the lock timeout bounds both.
 */
export const LOCK_WAIT_FACTOR = 2;

/**
 * The longest a test application's query may wait for a lock: its sessions' Postgres lock_timeout.
 * A longer wait fails the query, which lands in the app's errors. The server measures the wait,
 * so a busy machine that is slow to run the client (what a client-side latency would count) does
 * not fail a test.
 */
export const APP_LOCK_WAIT_LIMIT_MS = LOCK_WAIT_FACTOR * TEST_SETTINGS.lockTimeoutMs;

/**
 * A test application's pause between queries, per connection. Without one, every writer of every
 * test file ran queries back to back (each with its server backend) for as long as its test ran, and
 * the writers took much of a 2-core machine's CPU from the rest of the suite; tests wait for a number
 * of operations (waitForWork), not for a time, so a pause costs them nothing but that CPU.
 */
export const APP_THINK_MS = 5;

export function startApp(options: Parameters<typeof startDemoApp>[0]): AppClient {
  return startDemoApp({ lockTimeoutMs: APP_LOCK_WAIT_LIMIT_MS, thinkMs: APP_THINK_MS, ...options });
}

export function startWorkload(options: Parameters<typeof startDemoWorkload>[0]): AppClient {
  return startDemoWorkload({ lockTimeoutMs: APP_LOCK_WAIT_LIMIT_MS, thinkMs: APP_THINK_MS, ...options });
}

/**
 * No query of the app waited on a migration's locks past what zdm's lock timeout allows: its
 * sessions ran with that bound as their lock_timeout (so a longer wait is one of its errors,
 * "canceling statement due to lock timeout"), and it had no error.
 */
export function expectNoLongLockWait(stats: AppStats, lockTimeoutMs: number, what: string): void {
  expect(stats.errors.slice(0, 5), `${what} errors`).toEqual([]);
  expect(stats.lockTimeoutMs, `${what}: lock_timeout of its sessions`).toBeGreaterThan(0);
  expect(stats.lockTimeoutMs, `${what}: lock_timeout of its sessions`).toBeLessThanOrEqual(
    LOCK_WAIT_FACTOR * lockTimeoutMs,
  );
}

import type pg from 'pg';
import { expect } from 'vitest';
import { startClients } from '../../src/demo/app-client.js';
import type { AppClient, AppStats } from './apps.js';

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
  return track(startClients({ ...options, thinkMs: options.thinkMs ?? 2 }));
}

/** The client succeeded, did some work, and no query waited behind a migration lock past the lock timeout. */
export function expectClean(stats: AppStats, lockTimeoutMs: number): void {
  expect(stats.errors.slice(0, 5), `${stats.name} errors`).toEqual([]);
  expect(stats.ops, `${stats.name} did some work`).toBeGreaterThan(10);
  expect(stats.maxLatencyMs, `${stats.name} slowest query`).toBeLessThan(lockTimeoutMs);
}

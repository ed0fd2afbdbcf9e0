import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { connect } from '../../src/db/connect.js';
import { createRunnerContext, type RunnerContext, type SafetySettings } from '../../src/exec/context.js';
import type { RunnerEvent } from '../../src/exec/events.js';
import type { GatePacing } from '../../src/replication/gate.js';

export const TEST_SETTINGS: SafetySettings = {
  lockTimeoutMs: 2000,
  lockRetries: 10,
  gateTimeoutMs: 10_000,
  maxLagMs: 5000,
  maxLagBytes: 256 * 1024 * 1024,
  replicas: [],
  batchSize: 500,
  targetBatchMs: 100,
  maxRowsPerSecond: undefined,
  workers: 1,
  throttleQuery: undefined,
  maxXactAgeMs: 0,
  allowMissingReplica: false,
  allowWalRisk: false,
};

/**
 * Phase gates sample replica lag for 100 ms instead of a second, and retry every 200 ms while
 * closed: each migration crosses up to four gates, and the suite runs hundreds of them (measured
 * on migrations-examples: 47 gates, 47 s of its 130 s under load). Lag still closes a gate: the
 * lag tests pause replay, so the first sample sees it.
 */
export const TEST_GATE_PACING: GatePacing = { sampleWindowMs: 100, retryMs: 200 };

/** Repo-local temp dir: .ts migration files there can `import ... from 'zdm'` (package self-reference). */
export async function tempMigrationsDir(
  label: string,
): Promise<{ dir: string; write(name: string, content: string | object): Promise<string>; remove(): Promise<void> }> {
  const base = path.resolve('.zdm-tmp');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(path.join(base, `${label}-`));
  return {
    dir,
    async write(name, content) {
      const file = path.join(dir, name);
      await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface TestRunner extends RunnerContext {
  events: RunnerEvent[];
  close(): Promise<void>;
}

export function testRunner(
  url: string,
  migrationsDir: string,
  settings: Partial<SafetySettings> = {},
  signal: AbortSignal = new AbortController().signal,
): TestRunner {
  const conn = connect(url, 'zdm test runner');
  const events: RunnerEvent[] = [];
  const ctx = createRunnerContext(conn, {
    migrationsDir,
    settings: { ...TEST_SETTINGS, ...settings },
    log: pino({ level: process.env.ZDM_TEST_LOG ?? 'silent' }),
    signal,
    emit: (e) => events.push(e),
    gatePacing: TEST_GATE_PACING,
  });
  return { ...ctx, events, close: () => conn.close() };
}

/**
 * A migrations directory (removed with `dirs`) holding one migration that renames `table`'s
 * user_email to email_address: the scenario the backfill and fault tests share.
 */
export async function renameEmailMigration(
  table: string,
  url: string,
  dirs: { remove(): Promise<void> }[],
): Promise<{ migration: string; dir: string; file: string; args: string[] }> {
  const dir = await tempMigrationsDir(table);
  dirs.push(dir);
  const migration = `0001_rename_${table}`;
  const file = await dir.write(`${migration}.json`, {
    operations: [{ op: 'renameColumn', table, from: 'user_email', to: 'email_address' }],
  });
  return { migration, dir: dir.dir, file, args: ['--migrations-dir', dir.dir, '--database-url', url] };
}

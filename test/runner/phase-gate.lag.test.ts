import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('gate');
  await db.query(`CREATE TABLE users (id int PRIMARY KEY, user_email text)`);
  await db.query(`INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 1000) g`);
  await dir.write('0001_rename.json', {
    operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }],
  });
});
afterAll(async () => {
  await db?.resumeReplay().catch(() => undefined);
  await dir?.remove();
  await db?.drop();
});

describe('the replica-lag gate between phases', () => {
  it('holds a phase while the replica lags (exit 5, says why), and opens when it catches up', async () => {
    if (!db.replicaUrl) return;
    const args = [
      '--migrations-dir',
      dir.dir,
      '--database-url',
      db.url,
      '--gate-timeout',
      '3s',
      '--max-lag-bytes',
      '64kB',
      '--max-lag',
      '600s',
    ];
    expect((await runCli(['advance', ...args])).code).toBe(0);
    await db.pauseReplay();
    // Write WAL the paused replica cannot replay (the time limit is set high: this test is about bytes).
    await db.query(`CREATE TABLE filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 5000) g`);
    const waiting = await runCli(['advance', ...args]);
    expect(waiting.code).toBe(5);
    expect(waiting.stdout).toMatch(
      /waiting before backfill: replica zdm_replica has [\d.]+ (kB|MB) of WAL to replay \(limit 64 kB\)/,
    );
    const phase = await db.query(`SELECT phase, current_phase FROM zdm.migrations`);
    expect(phase).toEqual([{ phase: 'expand', current_phase: null }]);
    const audit = await db.query(`SELECT action, phase, outcome FROM zdm.audit_log WHERE outcome = 'waiting'`);
    expect(audit).toEqual([{ action: 'advance', phase: 'backfill', outcome: 'waiting' }]);
    await db.resumeReplay();
    const proceeded = await runCli(['advance', ...args]);
    expect(proceeded.code, proceeded.stdout + proceeded.stderr).toBe(0);
    expect(proceeded.stdout).toContain('ran backfill');
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLagProbe } from '../../src/replication/lag-probe.js';
import type { LagReading } from '../../src/replication/probe.js';
import { advance } from '../../src/runner/advance.js';
import { ensureStateSchema } from '../../src/exec/state-schema.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli, waitFor } from '../helpers/cli.js';
import { tempMigrationsDir, testRunner, type TestRunner } from '../helpers/runner.js';

let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
let runner: TestRunner | undefined;
let replicaName: string;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('replica-lag');
  const client = await db.pool.connect();
  await ensureStateSchema(client, 'zdm').finally(() => client.release());
  if (db.replicaUrl) replicaName = `${new URL(db.replicaUrl).hostname}:${new URL(db.replicaUrl).port}`;
  await db.waitForReplica();
});
afterAll(async () => {
  await db?.resumeReplay().catch(() => undefined);
  await runner?.close();
  await dir?.remove();
  await db?.drop();
});

const heartbeatOf = (readings: LagReading[]) => readings.find((r) => r.via === 'heartbeat')!;

describe('--replica probes and the heartbeat', () => {
  it('reads heartbeat seconds and replay bytes on the replica; both grow while replay is paused', async () => {
    if (!db.replicaUrl) return;
    const ctx = testRunner(db.url, dir.dir, { replicas: [db.replicaUrl] });
    const probe = createLagProbe(ctx);
    try {
      await sleep(400);
      const before = heartbeatOf(await probe.read());
      expect(before).toMatchObject({ replica: replicaName, via: 'heartbeat' });
      expect(before.problem).toBeUndefined();
      expect(before.seconds!).toBeLessThan(0.8);
      expect(before.bytes!).toBeLessThan(1024 * 1024);
      await db.pauseReplay();
      await db.query(`CREATE TABLE filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 5000) g`);
      await sleep(1200);
      const paused1 = heartbeatOf(await probe.read());
      await sleep(800);
      const paused2 = heartbeatOf(await probe.read());
      expect(paused1.seconds!).toBeGreaterThan(1.0);
      expect(paused2.seconds!).toBeGreaterThan(paused1.seconds! + 0.5);
      expect(paused2.bytes!).toBeGreaterThan(500 * 1024);
      // The heartbeat row on the primary is fresh: the writer runs while the probe is open.
      const [beat] = await db.query<{ age: number; written_by: string }>(
        `SELECT extract(epoch FROM clock_timestamp() - beat_at)::float8 AS age, written_by FROM zdm.heartbeat`,
      );
      expect(beat!.age).toBeLessThan(0.6);
      expect(beat!.written_by).toBe('zdm test runner');
      await db.resumeReplay();
      await sleep(500);
      const after = heartbeatOf(await probe.read());
      expect(after.seconds!).toBeLessThan(0.8);
    } finally {
      await db.resumeReplay();
      await probe.close();
      await ctx.close();
    }
    // Stopped: no more beats after close().
    const [{ at: a1 }] = (await db.query<{ at: string }>(`SELECT beat_at::text AS at FROM zdm.heartbeat`)) as [
      { at: string },
    ];
    await sleep(400);
    const [{ at: a2 }] = (await db.query<{ at: string }>(`SELECT beat_at::text AS at FROM zdm.heartbeat`)) as [
      { at: string },
    ];
    expect(a2).toBe(a1);
  });

  it('a --replica that is not a streaming standby is a problem that closes the gate (fail-safe)', async () => {
    const ctx = testRunner(db.url, dir.dir, { replicas: [db.url] });
    const probe = createLagProbe(ctx);
    try {
      const reading = heartbeatOf(await probe.read());
      expect(reading.problem).toBe(
        'is not in recovery (pg_is_in_recovery() is false): it was promoted, or the URL names a primary',
      );
    } finally {
      await probe.close();
      await ctx.close();
    }
  });

  it('pauses a running backfill while the replica lags (heartbeat or the primary view), naming it and the seconds, and resumes after replay resumes', async () => {
    if (!db.replicaUrl) return;
    await db.query(`CREATE TABLE users (id int PRIMARY KEY, user_email text)`);
    await db.query(`INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 12000) g`);
    await dir.write('0001_rename.json', {
      operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }],
    });
    runner = testRunner(db.url, dir.dir, {
      replicas: [db.replicaUrl],
      maxLagMs: 1000,
      maxLagBytes: 1024 ** 3,
      batchSize: 200,
      maxRowsPerSecond: 1500,
    });
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    const running = advance(runner);
    try {
      // Wait for the first batches (the phase gate has passed), then stop replay.
      await waitFor('the first batch', async () =>
        runner!.events.some((e) => e.type === 'backfill-progress' && e.progress.batches > 0) ? true : undefined,
      );
      await db.pauseReplay();
      const pause = await waitFor('a pause', async () => firstPause(runner!), 10_000);
      // Either measure of the same standby may cross 1 s first: the heartbeat read on the --replica
      // (named host:port), or replay_lag in the primary's pg_stat_replication (named by application_name).
      const heartbeat = `replica ${replicaName.replaceAll('.', '\\.')} is \\d+\\.\\d\\ds behind by heartbeat`;
      const replayLag = `replica \\S+ is \\d+\\.\\d\\ds behind by replay_lag`;
      expect(pause.reason).toMatch(new RegExp(`^(${heartbeat}|${replayLag}) \\(limit 1\\.00s\\)$`));
      const scannedAtPause = lastScanned(runner);
      await sleep(700);
      expect(lastScanned(runner)).toBe(scannedAtPause);
      // While paused, the heartbeat read on the replica itself shows it over the limit.
      const heartbeatSeconds = runner.events
        .flatMap((e) => (e.type === 'backfill-progress' && e.progress.paused ? e.progress.lag : []))
        .filter((l) => l.replica === replicaName)
        .map((l) => l.seconds ?? 0);
      expect(Math.max(...heartbeatSeconds)).toBeGreaterThan(1.0);
      await db.resumeReplay();
      expect(await running).toMatchObject({ kind: 'advanced', ran: ['backfill'] });
      expect(
        await db.query(`SELECT count(*)::int AS n FROM users WHERE email_address IS DISTINCT FROM user_email`),
      ).toEqual([{ n: 0 }]);
    } finally {
      // A failure above must not leave replay paused for the tests after it (one replica serves every database).
      await db.resumeReplay();
      await running.catch(() => undefined);
    }
  });
});

function firstPause(r: TestRunner): { reason: string } | undefined {
  return r.events.find((e): e is Extract<typeof e, { type: 'backfill-pause' }> => e.type === 'backfill-pause');
}

function lastScanned(r: TestRunner): number {
  const progress = r.events.filter((e) => e.type === 'backfill-progress');
  const last = progress.at(-1);
  return last?.type === 'backfill-progress' ? last.progress.rowsScanned : 0;
}

describe('--max-lag-bytes', () => {
  it('stops a backfill before its WAL would take a paused replica past the byte limit, and finishes after replay resumes', async () => {
    if (!db.replicaUrl) return;
    const other = await createTestDatabase('byte_limit');
    const mig = await tempMigrationsDir('byte-limit');
    const limit = 2 * 1024 * 1024;
    const ctx = testRunner(other.url, mig.dir, {
      replicas: [other.replicaUrl!],
      maxLagMs: 3_600_000,
      maxLagBytes: limit,
      batchSize: 500,
    });
    let running: Promise<unknown> | undefined;
    try {
      // Autovacuum off: its WAL while zdm waits would be lag zdm did not write.
      await other.query(`CREATE TABLE orders (id int PRIMARY KEY, note text) WITH (autovacuum_enabled = off)`);
      await other.query(`INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 60000) g`);
      await mig.write('0001_rename.json', {
        operations: [{ op: 'renameColumn', table: 'orders', from: 'note', to: 'remark' }],
      });
      expect(await advance(ctx)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
      await other.waitForReplica();
      await other.pauseReplay();
      running = advance(ctx);
      const pause = await waitFor('a pause', async () => firstPause(ctx), 20_000);
      expect(pause.reason).toMatch(/^replica \S+ has (up to )?[\d.]+ [kM]?B of WAL to replay/);
      const scanned = lastScanned(ctx);
      expect(scanned).toBeGreaterThan(0);
      expect(scanned).toBeLessThan(60000);
      await sleep(800);
      expect(lastScanned(ctx)).toBe(scanned);
      // The lag the replica has, measured here: the primary's WAL position minus the replica's replay position.
      const [primary] = await other.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`);
      const replica = new pg.Client({ connectionString: other.replicaUrl });
      await replica.connect();
      const { rows } = await replica.query<{ bytes: number }>(
        `SELECT pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::float8 AS bytes`,
        [primary!.lsn],
      );
      await replica.end();
      expect(rows[0]!.bytes).toBeGreaterThan(limit / 4);
      expect(rows[0]!.bytes).toBeLessThanOrEqual(limit);
      await other.resumeReplay();
      expect(await running).toMatchObject({ kind: 'advanced', ran: ['backfill'] });
      expect(await other.query(`SELECT count(*)::int AS n FROM orders WHERE remark IS DISTINCT FROM note`)).toEqual([
        { n: 0 },
      ]);
    } finally {
      await other.resumeReplay().catch(() => undefined);
      // A failure above must not close the pool under a backfill still running.
      await running?.catch(() => undefined);
      await ctx.close();
      await mig.remove();
      await other.drop();
    }
  });
});

describe('an unreachable --replica', () => {
  it('holds advance (exit 5, says which and why) unless --allow-missing-replica', async () => {
    // Its own database: the backfill test above left a migration active in this one.
    const other = await createTestDatabase('missing_replica');
    await other.query(`CREATE TABLE accounts (id int PRIMARY KEY, note text)`);
    const mig = await tempMigrationsDir('missing-replica');
    try {
      await mig.write('0001_rename.json', {
        operations: [{ op: 'renameColumn', table: 'accounts', from: 'note', to: 'remark' }],
      });
      const args = [
        'advance',
        '--migrations-dir',
        mig.dir,
        '--database-url',
        other.url,
        '--gate-timeout',
        '1s',
        '--replica',
        'postgres://nobody:secret@127.0.0.1:1/nowhere',
      ];
      const held = await runCli(args);
      expect(held.code, held.stdout + held.stderr).toBe(5);
      expect(held.stdout).toMatch(/waiting before expand: replica 127\.0\.0\.1:1: is unreachable \(.*ECONNREFUSED.*\)/);
      expect(held.stdout + held.stderr).not.toContain('secret');
      const allowed = await runCli([...args, '--allow-missing-replica']);
      expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
      expect(allowed.stdout).toContain('ran expand');
      const viaEnv = await runCli(args, { env: { ZDM_ALLOW_MISSING_REPLICA: 'true' } });
      expect(viaEnv.code, viaEnv.stdout + viaEnv.stderr).toBe(0);
      expect(viaEnv.stdout).toContain('ran backfill');
    } finally {
      await mig.remove();
      await other.drop();
    }
  });

  it('a --replica that refuses the role is reported at once (exit 5), not waited for until --gate-timeout', async () => {
    if (!db.replicaUrl) return;
    const other = await createTestDatabase('wrong_role_replica');
    await other.query(`CREATE TABLE accounts (id int PRIMARY KEY, note text)`);
    const mig = await tempMigrationsDir('wrong-role-replica');
    try {
      await mig.write('0001_rename.json', {
        operations: [{ op: 'renameColumn', table: 'accounts', from: 'note', to: 'remark' }],
      });
      const wrong = new URL(db.replicaUrl);
      wrong.username = 'zdm_no_such_role';
      wrong.password = 'secret';
      // A gate timeout longer than the test's own: only an immediate answer passes.
      const held = await runCli([
        'advance',
        '--migrations-dir',
        mig.dir,
        '--database-url',
        other.url,
        '--gate-timeout',
        '10m',
        '--replica',
        wrong.toString(),
      ]);
      expect(held.code, held.stdout + held.stderr).toBe(5);
      expect(held.stdout).toMatch(
        /waiting before expand: replica [\w.]+:\d+: is unreachable \(.*zdm_no_such_role.*\); waiting will not fix this: correct --replica, or pass --allow-missing-replica/,
      );
      expect(held.stderr).not.toContain('waiting for replica lag before the phase starts');
      expect(held.stdout + held.stderr).not.toContain('secret');
    } finally {
      await mig.remove();
      await other.drop();
    }
  });
});

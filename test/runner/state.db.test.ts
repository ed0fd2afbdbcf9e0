import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
let args: string[];

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('state');
  await db.query(`CREATE TABLE users (id int PRIMARY KEY, user_email text)`);
  await db.query(`INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 300) g`);
  await dir.write(
    '0001_rename.yaml',
    'operations:\n  - op: renameColumn\n    table: users\n    from: user_email\n    to: email_address\n',
  );
  args = ['--migrations-dir', dir.dir, '--database-url', db.url];
});
afterAll(async () => {
  await dir?.remove();
  await db?.drop();
});

describe('state, plan and status', () => {
  it('plans the next pending migration without creating any state', async () => {
    const r = await runCli(['plan', '--format', 'json', ...args]);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as { migration: string; steps: { status: string }[] };
    expect(plan.migration).toBe('0001_rename');
    expect(plan.steps.every((s) => s.status === 'pending')).toBe(true);
    expect(await db.query(`SELECT to_regnamespace('zdm') AS s`)).toEqual([{ s: null }]);
  });

  it('records the plan, step status, audit log and checksum; plan shows the recorded plan with progress', async () => {
    const r = await runCli(['advance', ...args]);
    expect(r.code).toBe(0);
    // Passwords in URLs never reach the logs.
    expect(r.stderr).not.toContain(new URL(db.url).password);
    const plan = JSON.parse((await runCli(['plan', '--format', 'json', ...args])).stdout) as {
      steps: { id: string; phase: string; status: string }[];
    };
    expect(plan.steps.filter((s) => s.phase === 'expand').every((s) => s.status === 'done')).toBe(true);
    expect(plan.steps.filter((s) => s.phase !== 'expand').every((s) => s.status === 'pending')).toBe(true);
    const markdown = (await runCli(['plan', '--format', 'markdown', ...args])).stdout;
    expect(markdown).toContain(
      '| expand | `rename_column:public.users.user_email:expand:1` (done) | ACCESS EXCLUSIVE (brief) | no | no | - |',
    );
    const audit = await db.query<{
      action: string;
      phase: string | null;
      outcome: string;
      actor: string;
      host: string;
      checksum: string;
    }>(`SELECT action, phase, outcome, actor, host, checksum FROM zdm.audit_log ORDER BY id`);
    expect(audit.map((a) => `${a.action}/${a.phase ?? '-'}/${a.outcome}`)).toEqual([
      'activate/-/succeeded',
      'advance/expand/started',
      'advance/expand/succeeded',
    ]);
    const checksum = (await db.query<{ checksum: string }>(`SELECT checksum FROM zdm.migrations`))[0]!.checksum;
    expect(audit.every((a) => a.checksum === checksum && a.actor.length > 0 && a.host.length > 0)).toBe(true);
  });

  it('status reports phase, next phase and steps', async () => {
    const r = await runCli(['status', '--json', ...args]);
    const report = JSON.parse(r.stdout) as { migrations: unknown[] };
    expect(report.migrations).toEqual([
      expect.objectContaining({
        name: '0001_rename',
        status: 'active',
        phase: 'expand',
        nextPhase: 'backfill',
        drift: false,
        steps: { total: 4, done: 1, failed: 0, running: 0 },
      }),
    ]);
    const text = (await runCli(['status', ...args])).stdout;
    expect(text).toMatch(/^active\s+0001_rename {2}expand done; next: backfill \(zdm advance\) {2}\(/m);
  });

  it('the database allows one active migration per schema (partial unique index)', async () => {
    await db.query(
      `INSERT INTO zdm.migrations (name, file, checksum, status, plan) VALUES ('other', 'other.json', 'x', 'active', '{}')`,
    );
    await expect(
      db.query(`INSERT INTO zdm.migration_targets (migration, schema_name, active) VALUES ('other', 'public', true)`),
    ).rejects.toThrow(/migration_targets_one_active_per_schema/);
    await db.query(`DELETE FROM zdm.migrations WHERE name = 'other'`);
  });

  it('pause and resume flip the flag a running backfill reads', async () => {
    expect((await runCli(['pause', '--reason', 'peak traffic', ...args])).stdout).toContain('0001_rename: paused');
    expect((await runCli(['status', ...args])).stdout).toContain('PAUSED: peak traffic');
    expect((await runCli(['resume', ...args])).code).toBe(0);
    expect(await db.query(`SELECT paused FROM zdm.migrations`)).toEqual([{ paused: false }]);
  });
});

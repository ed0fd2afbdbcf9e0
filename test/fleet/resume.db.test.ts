import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli, waitFor, ZDM_BIN } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/** A fleet run killed half-way resumes; a target another run works on is `locked`; --on-failure stop. */
let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
const TENANTS = ['tenant_a', 'tenant_b', 'tenant_c', 'tenant_d'];
const targets = () => TENANTS.flatMap((t) => ['--target', `${db.url}#${t}`]);
const slow = ['--batch-size', '200', '--max-rows-per-second', '1500', '--lock-timeout', '2s'];

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  for (const t of TENANTS) {
    await db.query(`CREATE SCHEMA ${t}`);
    await db.query(`CREATE TABLE ${t}.users (id bigserial PRIMARY KEY, user_email text NOT NULL)`);
    await db.query(`INSERT INTO ${t}.users (user_email) SELECT 'u' || g || '@x.com' FROM generate_series(1, 6000) g`);
  }
  dir = await tempMigrationsDir('fleet-resume');
  await mkdir(path.join(dir.dir, 'migrations'));
  await dir.write('migrations/0001_rename.json', {
    operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email' }],
  });
}, 120_000);

afterAll(async () => {
  await dir?.remove();
  await db?.drop();
});

const stateOf = async (t: string) =>
  (await db.query<{ r: string | null }>(`SELECT to_regclass('zdm_${t}.migrations')::text AS r`))[0]!.r
    ? await db.query<{ status: string; phase: string | null }>(`SELECT status, phase FROM zdm_${t}.migrations`)
    : [];

describe('zdm fleet advance, killed and run again', () => {
  it('continues every target from where it is; a target busy with another run is locked', async () => {
    const child = spawn(
      process.execPath,
      [ZDM_BIN, 'fleet', 'advance', '--until', 'contract', '--concurrency', '1', ...targets(), ...slow],
      { cwd: dir.dir, env: { ...process.env, ZDM_LOG_LEVEL: 'error' }, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await waitFor(
      'the second target to be backfilling',
      async () => {
        const rows = (
          await db.query<{ r: string | null }>(`SELECT to_regclass('zdm_tenant_b.backfills')::text AS r`)
        )[0]!.r
          ? await db.query(`SELECT 1 FROM zdm_tenant_b.backfills WHERE batches > 0`)
          : [];
        return rows.length ? true : undefined;
      },
      60_000,
    );
    const second = await runCli(
      ['fleet', 'advance', '--until', 'contract', '--target', `${db.url}#tenant_b`, '--json'],
      { cwd: dir.dir },
    );
    expect(second.code, second.stderr).toBe(4);
    expect(JSON.parse(second.stdout)).toMatchObject({ targets: [{ status: 'locked' }] });
    child.kill('SIGKILL');
    await exited;
    expect(await stateOf('tenant_a')).toEqual([{ status: 'complete', phase: 'contract' }]);
    expect(await stateOf('tenant_b')).toMatchObject([{ status: 'active' }]);
    expect(await stateOf('tenant_d')).toEqual([]);

    const again = await runCli(['fleet', 'advance', '--until', 'contract', ...targets(), '--json'], { cwd: dir.dir });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ summary: { total: 4, done: 4, failed: 0 } });
    for (const t of TENANTS) expect(await stateOf(t)).toEqual([{ status: 'complete', phase: 'contract' }]);
    const differing = await db.query(`SELECT 1 FROM tenant_b.users WHERE email IS NULL`);
    expect(differing).toEqual([]);
  }, 180_000);

  it('--on-failure stop starts no new target after a failure; fleet rollback undoes the failed one', async () => {
    await db.query(`UPDATE tenant_a.users SET email = 'no-at-sign' WHERE id = 7`);
    await dir.write('migrations/0002_email_check.json', {
      operations: [
        { op: 'addCheck', table: 'users', name: 'users_email_at', expression: `position('@' in email) > 0` },
      ],
    });
    const r = await runCli(['fleet', 'advance', '--until', 'contract', '--concurrency', '1', ...targets()], {
      cwd: dir.dir,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/#tenant_a\s+0002_email_check\s+\S+\s+failed/);
    // The error column shows the first row that breaks the check, not a line ending on "sample (up to 10):".
    expect(r.stdout).toMatch(/#tenant_a .*violate CHECK users_email_at.*sample \(up to 10\): \{[^\n]+\}\n/);
    expect(r.stdout).toMatch(/#tenant_b\s+-\s+-\s+not-started: another target failed/);
    expect(r.stdout).toMatch(/4 targets: 0 done, 1 failed, 0 waiting, 0 locked, 3 not started/);
    const rolled = await runCli(['fleet', 'rollback', ...targets(), '--json'], { cwd: dir.dir });
    expect(rolled.code, rolled.stderr).toBe(0);
    const report = JSON.parse(rolled.stdout) as { targets: { note: string }[] };
    expect(report.targets.map((t) => t.note)).toEqual([
      expect.stringMatching(/^rolled back/),
      'nothing active',
      'nothing active',
      'nothing active',
    ]);
  });
});

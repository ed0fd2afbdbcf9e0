import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { ConfigError, runFleet, type FleetProgress } from '../../src/index.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';
import { startWorkload, stopAll, waitForWork } from '../helpers/workload.js';

/**
 * `zdm fleet` over two databases and three tenant schemas of a third (listed by a query), one
 * migration without schema names: a rename with backfill and a CHECK that one tenant's data violates.
 */
const dbs: TestDatabase[] = [];
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
let tenants: TestDatabase;
const TENANTS = ['tenant_a', 'tenant_b', 'tenant_c'];

async function seed(db: TestDatabase, schema: string, badAmount = false) {
  await db.query(`CREATE TABLE ${schema}.users (id bigserial PRIMARY KEY, user_email text NOT NULL)`);
  await db.query(
    `INSERT INTO ${schema}.users (user_email) SELECT 'u' || g || '@x.com' FROM generate_series(1, 1500) g`,
  );
  await db.query(`CREATE TABLE ${schema}.payments (id bigserial PRIMARY KEY, amount numeric NOT NULL)`);
  await db.query(`INSERT INTO ${schema}.payments (amount) SELECT g FROM generate_series(1, 100) g`);
  if (badAmount) await db.query(`UPDATE ${schema}.payments SET amount = -5 WHERE id = 42`);
}

beforeAll(async () => {
  const label = testLabel(import.meta.url);
  for (const n of [1, 2]) {
    const db = await createTestDatabase(`${label}_${n}`);
    await seed(db, 'public');
    dbs.push(db);
  }
  tenants = await createTestDatabase(`${label}_t`);
  for (const t of TENANTS) {
    await tenants.query(`CREATE SCHEMA ${t}`);
    await seed(tenants, t, t === 'tenant_c');
  }
  dir = await tempMigrationsDir('fleet');
  await mkdir(path.join(dir.dir, 'migrations'));
  await dir.write('migrations/0001_rename_and_check.json', {
    operations: [
      { op: 'renameColumn', table: 'users', from: 'user_email', to: 'email' },
      { op: 'addCheck', table: 'payments', name: 'payments_amount_positive', expression: 'amount > 0' },
    ],
  });
  await writeFile(
    path.join(dir.dir, 'zdm.fleet.json'),
    JSON.stringify({
      targets: [
        dbs[0]!.url,
        { name: 'second', databaseUrl: dbs[1]!.url },
        {
          name: 'tenants',
          databaseUrl: tenants.url,
          schemasQuery: `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant_%'`,
        },
      ],
    }),
  );
}, 180_000);

afterAll(async () => {
  await stopAll();
  await dir?.remove();
  for (const db of [...dbs, tenants]) await db?.drop();
});

const fleet = (...args: string[]) =>
  runCli(['fleet', ...args, '--migrations-dir', 'migrations', '--lock-timeout', '2s', '--json'], { cwd: dir.dir });

interface Report {
  summary: { total: number; done: number; failed: number };
  targets: { target: string; migration: string | null; phase: string | null; status: string; error: string | null }[];
}
const parse = (stdout: string) => JSON.parse(stdout) as Report;
const columns = async (db: TestDatabase, schema: string) =>
  (
    await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'users' ORDER BY ordinal_position`,
      [schema],
    )
  ).map((r) => r.column_name);

/** The old app on one target: inserts payments and raises the amounts of rows 1-40 (never the bad row 42). */
const oldApp = (db: TestDatabase, schema: string) =>
  startWorkload({
    url: db.url,
    name: `${db.name}#${schema}`,
    connections: 1,
    thinkMs: 20,
    step: (client, i) =>
      i % 2
        ? client.query(`INSERT INTO ${schema}.payments (amount) VALUES (1 + floor(random() * 100))`)
        : client.query(`UPDATE ${schema}.payments SET amount = amount + 1 WHERE id = 1 + (random() * 39)::int`),
  });

describe('zdm fleet', () => {
  it('plans every target, tenant schemas listed by query', async () => {
    const r = await fleet('plan');
    expect(r.code, r.stderr).toBe(0);
    const report = parse(r.stdout);
    expect(report.targets.map((t) => t.target.replace(/^.*\/(?=[^/]+$)/, ''))).toHaveLength(5);
    expect(report.targets.slice(2).map((t) => t.target)).toEqual(TENANTS.map((t) => `tenants#${t}`));
    expect(report.targets.every((t) => t.migration === '0001_rename_and_check')).toBe(true);
  });

  it('advances every target to contract under old-app writers, reports the one that fails, continues, and rolls it back', async () => {
    const apps = [...dbs.map((db) => oldApp(db, 'public')), ...TENANTS.map((t) => oldApp(tenants, t))];
    await Promise.all(apps.map((app) => waitForWork(app, 1)));
    const r = await fleet(
      'advance',
      '--until',
      'contract',
      '--canary',
      '1',
      '--concurrency',
      '2',
      '--on-failure',
      'continue',
    );
    expect(r.code, r.stderr).toBe(1);
    const report = parse(r.stdout);
    expect(report.summary).toMatchObject({ total: 5, done: 4, failed: 1 });
    const failed = report.targets.find((t) => t.status === 'failed')!;
    expect(failed).toMatchObject({ target: 'tenants#tenant_c', migration: '0001_rename_and_check' });
    expect(failed.error).toContain('violate CHECK payments_amount_positive');
    expect(r.stderr).toMatch(/fleet: \[\d\/5 done, \d running, 1 failed, 0 waiting\] tenants#tenant_c: failed/);
    for (const db of dbs) expect(await columns(db, 'public')).toEqual(['id', 'email']);
    for (const t of ['tenant_a', 'tenant_b']) expect(await columns(tenants, t)).toEqual(['id', 'email']);
    // Each tenant's state is its own: the failed one is still active in zdm_tenant_c.
    const state = await tenants.query(`SELECT name, status FROM zdm_tenant_c.migrations`);
    expect(state).toEqual([{ name: '0001_rename_and_check', status: 'active' }]);

    const status = parse((await fleet('status')).stdout);
    expect(status.targets.find((t) => t.target === 'tenants#tenant_c')).toMatchObject({ status: 'failed' });

    const rolled = await fleet('rollback');
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(await columns(tenants, 'tenant_c')).toEqual(['id', 'user_email']);
    // The old app wrote the migrated table on every target through the run and the rollback: no error.
    for (const app of apps) await waitForWork(app, 1);
    const stats = await Promise.all(apps.map((app) => app.stop()));
    expect(stats.flatMap((s) => s.errors)).toEqual([]);

    // Fixed data: the same command finishes the rest (the others have nothing pending).
    await tenants.query(`UPDATE tenant_c.payments SET amount = 5 WHERE id = 42`);
    const again = await fleet('advance', '--until', 'contract', '--concurrency', '4');
    expect(again.code, again.stderr).toBe(0);
    expect(parse(again.stdout).summary).toMatchObject({ total: 5, done: 5, failed: 0 });
    expect(await columns(tenants, 'tenant_c')).toEqual(['id', 'email']);
  }, 180_000);

  it('takes targets from --target (url#schema for a tenant schema) and refuses advance without --until', async () => {
    const r = await runCli(
      ['fleet', 'status', '--target', `${tenants.url}#tenant_a`, '--migrations-dir', path.join(dir.dir, 'migrations')],
      {
        cwd: path.dirname(dir.dir),
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/#tenant_a\s+0001_rename_and_check\s+contract\s+done/);
    const noUntil = await fleet('advance');
    expect(noUntil.code).toBe(2);
    // Under --json the usage error is the JSON object on stdout, nothing on stderr.
    expect(noUntil.stdout).toContain('--until');
    expect(noUntil.stderr).toBe('');
  });

  it('runFleet from code: the same run as `zdm fleet`, with events and progress per target', async () => {
    await tenants.query('CREATE SCHEMA tenant_lib');
    await seed(tenants, 'tenant_lib');
    const events = new Set<string>();
    const progress: FleetProgress[] = [];
    const options = {
      targets: [{ name: 'lib', databaseUrl: tenants.url, schemas: ['tenant_lib'] }],
      migrationsDir: path.join(dir.dir, 'migrations'),
      lockTimeout: '2s',
    };
    await expect(runFleet({ ...options, command: 'advance' })).rejects.toThrow(ConfigError);
    await expect(runFleet({ ...options, command: 'plan', batchSize: 0 })).rejects.toThrow(/runFleet: batchSize/);
    const result = await runFleet({
      ...options,
      command: 'advance',
      until: 'contract',
      onEvent: (target, e) => events.add(`${target.name}:${e.type}`),
      onProgress: (p) => progress.push(p),
    });
    expect(result.summary).toMatchObject({ total: 1, done: 1, failed: 0 });
    expect(result.targets).toEqual([
      expect.objectContaining({ target: 'lib#tenant_lib', migration: '0001_rename_and_check', status: 'done' }),
    ]);
    expect(events).toContain('lib#tenant_lib:phase-done');
    expect(progress.at(-1)).toMatchObject({ total: 1, done: 1, finished: { target: 'lib#tenant_lib' } });
    expect(await columns(tenants, 'tenant_lib')).toEqual(['id', 'email']);
  }, 120_000);
});

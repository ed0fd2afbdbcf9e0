import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli, spawnCli, spawnCliClosingStdout } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/*
 * One output convention (issue 13): global options before or after the command, --json on every
 * command, errors as one JSON object on stdout under --json, invalid option values exit 2.
 */

let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE items (id bigserial PRIMARY KEY, title text)`);
  await db.query(`INSERT INTO items (title) SELECT 't' || g FROM generate_series(1, 500) g`);
  dir = await tempMigrationsDir('json-output');
  await dir.write('0001_rename_title.json', {
    operations: [{ op: 'renameColumn', table: 'items', from: 'title', to: 'name' }],
  });
  await dir.write('0002_bad.sql', 'ALTER TABLE items ADD COLUMN n int NOT NULL DEFAULT random()::int;');
});
afterAll(async () => {
  await dir?.remove();
  await db?.drop();
});

const parsed = (stdout: string): unknown => JSON.parse(stdout);

describe('--json on every command', () => {
  it('global options before the command name, and --json, for each command in a migration life', async () => {
    const global = ['--database-url', db.url, '--migrations-dir', dir.dir, '--json'];
    const plan = await runCli([...global, 'plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(parsed(plan.stdout)).toMatchObject({ migration: '0001_rename_title' });

    const advance = await runCli([...global, 'advance', '--until', 'backfill']);
    expect(advance.code, advance.stderr).toBe(0);
    expect(parsed(advance.stdout)).toMatchObject({ kind: 'advanced', ran: ['expand', 'backfill'] });

    for (const [command, expected] of [
      [['pause', '--reason', 'checking'], { migration: '0001_rename_title', paused: true }],
      [['resume'], { migration: '0001_rename_title', paused: false }],
      [['tune', '--batch-size', '100'], { migration: '0001_rename_title', control: { batchSize: 100 } }],
    ] as const) {
      const r = await runCli([...global, ...command]);
      expect(r.code, r.stderr).toBe(0);
      expect(parsed(r.stdout)).toMatchObject(expected);
    }

    const status = await runCli(['status', ...global]);
    expect(status.code, status.stderr).toBe(0);
    expect(parsed(status.stdout)).toMatchObject({ migrations: [{ name: '0001_rename_title', status: 'active' }] });

    const rollback = await runCli([...global, 'rollback']);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(parsed(rollback.stdout)).toMatchObject({ migration: '0001_rename_title' });
  });

  it('lint --json prints its JSON report', async () => {
    const r = await runCli(['--json', 'lint', `${dir.dir}/0002_bad.sql`]);
    expect(r.code).toBe(3);
    expect(parsed(r.stdout)).toBeTypeOf('object');
  });
});

describe('errors under --json: one JSON object on stdout, and the documented exit code', () => {
  it.each([
    [['status', '--json', '--database-url', 'notaurl'], 2, 'config'],
    [['--json', 'status', '--lock-wait', '1s'], 2, 'usage'],
    [['--json', 'advance', '--until', 'never'], 2, 'usage'],
    [['--json', 'tune', '--batch-size', 'many'], 2, 'usage'],
    [['--json', 'bogus'], 2, 'usage'],
  ])('%j exits %i', async (args, code, kind) => {
    const r = await runCli([...args, '--migrations-dir', dir.dir]);
    expect(r.code).toBe(code);
    expect(parsed(r.stdout)).toMatchObject({ error: { kind, exitCode: code, message: expect.any(String) as unknown } });
    expect(r.stderr).toBe('');
  });

  it('a database that cannot be reached: the JSON object on stdout and nothing on stderr (the real process, logs on)', async () => {
    const r = await spawnCli(
      ['--json', 'status', '--database-url', 'postgres://zdm:s3cret@127.0.0.1:1/nope', '--migrations-dir', dir.dir],
      { env: { ZDM_LOG_LEVEL: 'info' } },
    );
    expect(r.code).toBe(1);
    expect(parsed(r.stdout)).toEqual({
      error: { kind: 'database', exitCode: 1, message: expect.stringContaining('cannot connect to') as unknown },
    });
    expect(r.stdout).not.toContain('s3cret');
    expect(r.stderr).toBe('');
  });

  it('a validation error lists its issues', async () => {
    const bad = await tempMigrationsDir('json-bad');
    await bad.write('0001_missing.json', { operations: [{ op: 'renameColumn', table: 'items', from: 'title' }] });
    const r = await runCli(['--json', 'plan', '--database-url', db.url, '--migrations-dir', bad.dir]);
    await bad.remove();
    expect(r.code).toBe(3);
    expect(parsed(r.stdout)).toMatchObject({
      error: { kind: 'validation', exitCode: 3, issues: [{ path: 'operations[0].to', message: 'Required' }] },
    });
  });
});

describe('the reader of stdout closes the pipe early', () => {
  it('zdm status --json | head -c 10, the pipe closed before status writes: exit 141, nothing on stderr', async () => {
    const r = await spawnCliClosingStdout(
      ['status', '--json', '--database-url', db.url, '--migrations-dir', dir.dir],
      0,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
  });
});

describe('logs off a terminal', () => {
  it("one JSON line shape on stderr for the logger's lines and the runner's events: level, time, fields, msg", async () => {
    await db.query(`CREATE TABLE log_items (id bigint PRIMARY KEY, title text)`);
    const logs = await tempMigrationsDir('json-logs');
    await logs.write('0001_rename.json', {
      operations: [{ op: 'renameColumn', table: 'log_items', from: 'title', to: 'name' }],
    });
    const args = ['--database-url', db.url, '--migrations-dir', logs.dir, '--state-schema', 'zdm_logs'];
    const r = await spawnCli(['advance', '--until', 'expand', ...args], { env: { ZDM_LOG_LEVEL: 'info' } });
    await spawnCli(['rollback', ...args]);
    await logs.remove();
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const o of objects) {
      const keys = Object.keys(o);
      expect(keys.slice(0, 2)).toEqual(['level', 'time']);
      expect(keys.at(-1)).toBe('msg');
      expect(o.level).toBe('info');
      expect(new Date(o.time as string).toISOString()).toBe(o.time);
    }
    expect(objects).toContainEqual(expect.objectContaining({ msg: 'migration activated', migration: '0001_rename' }));
    expect(objects).toContainEqual(
      expect.objectContaining({ event: 'phase-done', phase: 'expand', msg: 'phase-done' }),
    );
  });
});

describe('invalid option values are usage errors (exit 2)', () => {
  it('--log-level loud, before or after the command, and ZDM_LOG_LEVEL=loud', async () => {
    for (const args of [
      ['--log-level', 'loud', 'status'],
      ['status', '--log-level', 'loud'],
    ]) {
      const r = await runCli([...args, '--database-url', db.url, '--migrations-dir', dir.dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("argument 'loud' is invalid");
      expect(r.stderr).not.toContain('    at ');
    }
    const env = await runCli(['status', '--database-url', db.url, '--migrations-dir', dir.dir], {
      env: { ZDM_LOG_LEVEL: 'loud' },
    });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('ZDM_LOG_LEVEL: "loud" is not a log level');
  });
});

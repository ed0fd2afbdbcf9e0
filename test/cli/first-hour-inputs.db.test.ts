import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';
import { tableSnapshot } from '../helpers/schema.js';

/*
 * Inputs a new user tried that zdm used to accept silently or refuse with the wrong exit code
 * (issue 13): each is now refused clearly (file named, documented exit code, nothing run) or works.
 */

let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE people (id bigserial PRIMARY KEY, email text NOT NULL)`);
  await db.query(`INSERT INTO people (email) SELECT 'p' || g || '@x' FROM generate_series(1, 100) g`);
});
afterAll(async () => {
  for (const d of dirs) await d.remove();
  await db?.drop();
});

async function dirWith(files: Record<string, string | object>) {
  const dir = await tempMigrationsDir('first-hour');
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) await dir.write(name, content);
  return dir;
}

const addNickname = (column: string) => ({
  operations: [{ op: 'addColumn', table: 'people', column: { name: column, type: 'text' } }],
});

const zdm = (command: string, dir: string, ...extra: string[]) =>
  runCli([command, '--migrations-dir', dir, '--database-url', db.url, ...extra]);

describe('migration file names: one rule, and a misnamed file is an error, never skipped', () => {
  it.each(['abcd_x.json', '0001_x.txt', '0001_x.JSON', '0001-x.json', '0001_.json', 'add_users.yaml'])(
    '%s makes advance, plan and status exit 3 naming the file and the rule',
    async (name) => {
      const before = await tableSnapshot(db.pool, 'people');
      const dir = await dirWith({ [name]: addNickname('misnamed') });
      for (const command of ['advance', 'plan', 'status']) {
        const r = await zdm(command, dir.dir);
        expect(r.code, `${command}: ${r.stderr}`).toBe(3);
        expect(r.stderr).toContain(path.join(dir.dir, name));
        expect(r.stderr).toContain('does not follow the migration naming rule');
        expect(r.stderr).toContain('<number>_<name>.<ext>');
      }
      expect(await tableSnapshot(db.pool, 'people')).toEqual(before);
    },
  );

  it('1_x.json follows the rule (any number of digits) and runs; README.md and setup.sql beside it are ignored', async () => {
    const dir = await dirWith({
      '1_one_digit.json': addNickname('one_digit'),
      'README.md': '# notes',
      'setup.sql': 'SELECT 1;',
    });
    const r = await zdm('advance', dir.dir, '--until', 'contract');
    expect(r.code, r.stderr).toBe(0);
    expect((await tableSnapshot(db.pool, 'people')).columns.some((c) => c.startsWith('one_digit text'))).toBe(true);
  });
});

describe('a migration file over the size limit is refused before it is parsed', () => {
  it('a 50 MB file: exit 3, naming the file and the limit', async () => {
    const dir = await dirWith({});
    const file = path.join(dir.dir, '0001_huge.json');
    const padding = ' '.repeat(50 * 1024 * 1024);
    await writeFile(file, `{"operations": []${padding}}`);
    const r = await zdm('plan', dir.dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${file}: is 50 MB; migration files are limited to 2.0 MB`);
    await rm(file);
  });
});

describe('a lock timeout of 0 (no limit in Postgres) is refused as a usage error', () => {
  it('--lock-timeout 0 and 0ms: exit 2', async () => {
    const dir = await dirWith({ '0001_lt.json': addNickname('lt') });
    for (const value of ['0', '0ms', '0s']) {
      const r = await zdm('advance', dir.dir, '--lock-timeout', value);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--lock-timeout: "${value}" must be at least 1ms`);
    }
  });

  it('"lockTimeout": "0s" in zdm.config.json: exit 2 naming the file', async () => {
    const dir = await dirWith({ '0001_lt.json': addNickname('lt') });
    const config = path.join(dir.dir, 'zdm.config.json');
    await writeFile(config, JSON.stringify({ lockTimeout: '0s' }));
    const r = await runCli(['advance', '--migrations-dir', dir.dir, '--database-url', db.url, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${config}: lockTimeout: "0s" must be at least 1ms`);
  });
});

describe('database URLs are checked before connecting (exit 2, no password printed)', () => {
  it.each([
    ['notaurl', 'is not a connection URL'],
    ['postgres://app:s3cret@localhost:port/db', 'the port must be a number'],
    ['postgres://app:s3cret@localhost:70000/db', 'the port must be a number'],
    ['mysql://app:s3cret@localhost/db', 'uses the scheme "mysql"'],
  ])('%s', async (url, message) => {
    const dir = await dirWith({ '0001_url.json': addNickname('url') });
    for (const args of [['--database-url', url], []]) {
      const r = await runCli(['status', '--migrations-dir', dir.dir, ...args], {
        env: args.length ? {} : { DATABASE_URL: url },
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(args.length ? '--database-url' : 'DATABASE_URL');
      expect(r.stderr + r.stdout).not.toContain('s3cret');
    }
  });
});

describe('an active migration whose file is deleted or renamed', () => {
  it.each([
    ['deleted', undefined],
    ['renamed', '0002_renamed.json'],
  ])(
    '%s: advance exits 3 naming it and what to do; rollback still undoes it from the recorded plan',
    async (how, to) => {
      const name = `0001_gone_${how}`;
      const dir = await dirWith({
        [`${name}.json`]: { operations: [{ op: 'renameColumn', table: 'people', from: 'email', to: 'mail' }] },
      });
      const before = await tableSnapshot(db.pool, 'people');
      expect((await zdm('advance', dir.dir)).code).toBe(0);
      expect((await tableSnapshot(db.pool, 'people')).triggers).not.toEqual([]);
      const file = path.join(dir.dir, `${name}.json`);
      if (to) await dir.write(to, { operations: [{ op: 'renameColumn', table: 'people', from: 'email', to: 'mail' }] });
      await rm(file);

      const advanced = await zdm('advance', dir.dir);
      expect(advanced.code).toBe(3);
      expect(advanced.stderr).toContain(`${file}: migration ${name} is active (expand done) but its file is missing`);
      expect(advanced.stderr).toContain('zdm rollback');
      const status = await zdm('status', dir.dir, '--json');
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout).migrations).toContainEqual(
        expect.objectContaining({ name, status: 'active', missingFile: true }),
      );

      const rolled = await zdm('rollback', dir.dir);
      expect(rolled.code, rolled.stderr).toBe(0);
      expect(await tableSnapshot(db.pool, 'people')).toEqual(before);
      if (to) await rm(path.join(dir.dir, to));
    },
  );
});

describe('what the catalog knows is refused at plan time, before expand', () => {
  beforeAll(async () => {
    await db.query(`CREATE TABLE accounts (id bigint PRIMARY KEY)`);
    await db.query(`CREATE TABLE invoices (id bigserial PRIMARY KEY, account numeric, account_int integer)`);
  });

  it('an unknown column type (bigintt): plan and advance exit 3 naming the field', async () => {
    const dir = await dirWith({
      '0001_typo.json': { operations: [{ op: 'addColumn', table: 'people', column: { name: 'n', type: 'bigintt' } }] },
    });
    const before = await tableSnapshot(db.pool, 'people');
    for (const command of ['plan', 'advance']) {
      const r = await zdm(command, dir.dir);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain('operations[0].column.type: type "bigintt" does not exist');
    }
    expect(await tableSnapshot(db.pool, 'people')).toEqual(before);
    expect(await db.query(`SELECT name FROM zdm.migrations WHERE status = 'active'`)).toEqual([]);
  });

  it('an unknown type in createTable and changeColumnType too', async () => {
    const dir = await dirWith({
      '0001_typos.json': {
        operations: [
          {
            op: 'createTable',
            table: 'notes',
            columns: [
              { name: 'id', type: 'bigserial', primaryKey: true },
              { name: 'body', type: 'txet' },
            ],
          },
          { op: 'changeColumnType', table: 'people', column: 'email', type: 'varchr(10)' },
        ],
      },
    });
    const r = await zdm('plan', dir.dir);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('operations[0].columns[1].type: type "txet" does not exist');
    expect(r.stderr).toContain('operations[1].type: type "varchr(10)" does not exist');
  });

  it('a foreign key between incompatible types (numeric -> bigint) is refused; integer -> bigint plans', async () => {
    const dir = await dirWith({
      '0001_fk.json': {
        operations: [
          {
            op: 'addForeignKey',
            table: 'invoices',
            name: 'invoices_account_fkey',
            columns: ['account'],
            references: { table: 'accounts', columns: ['id'] },
          },
          {
            op: 'addColumn',
            table: 'people',
            column: { name: 'account', type: 'numeric', references: { table: 'accounts' } },
          },
        ],
      },
    });
    const r = await zdm('plan', dir.dir);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(
      'operations[0].columns: a foreign key from type numeric onto public.accounts.id of type bigint cannot be implemented',
    );
    expect(r.stderr).toContain(
      'operations[1].column.references: a foreign key from type numeric onto public.accounts.id',
    );
    const ok = await dirWith({
      '0001_fk_ok.json': {
        operations: [
          {
            op: 'addForeignKey',
            table: 'invoices',
            name: 'invoices_account_int_fkey',
            columns: ['account_int'],
            references: { table: 'accounts', columns: ['id'] },
          },
        ],
      },
    });
    const planned = await zdm('plan', ok.dir);
    expect(planned.code, planned.stderr).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';
import { tableSnapshot, type TableSnapshot } from '../helpers/schema.js';

let db: TestDatabase;
const dirs: { remove(): Promise<void> }[] = [];

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE users (id bigserial PRIMARY KEY, name text, user_email text NOT NULL)`);
  await db.query(
    `INSERT INTO users (name, user_email) SELECT 'n' || g, 'u' || g || '@x' FROM generate_series(1, 200) g`,
  );
});
afterAll(async () => {
  for (const d of dirs) await d.remove();
  await db?.drop();
});

/** Writes one migration file in a fresh directory and runs `zdm <command>` on it. */
async function attempt(fileName: string, content: string | object, command = 'advance') {
  const dir = await tempMigrationsDir('bad');
  dirs.push(dir);
  await dir.write(fileName, content);
  return runCli([command, '--migrations-dir', dir.dir, '--database-url', db.url]);
}

async function nothingExecuted(before: TableSnapshot) {
  expect(await tableSnapshot(db.pool, 'users')).toEqual(before);
  const active = await db.query(`SELECT name FROM zdm.migrations WHERE status = 'active'`).catch(() => []);
  expect(active).toEqual([]);
}

describe('bad migration files are refused with exit 3, naming the file and the path in it, and nothing runs', () => {
  let before: TableSnapshot;
  beforeAll(async () => {
    before = await tableSnapshot(db.pool, 'users');
  });

  it('malformed JSON: file, line and column', async () => {
    const r = await attempt(
      '0001_broken.json',
      '{\n  "operations": [\n    { "op": "renameColumn", "table": "users", }\n  ]\n}\n',
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/0001_broken\.json:3:\d+: not valid JSON/);
    await nothingExecuted(before);
  });

  it('malformed YAML: file, line and column', async () => {
    const r = await attempt('0001_broken.yaml', 'operations:\n  - op: renameColumn\n    table: [users\n');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/0001_broken\.yaml:\d+:\d+: not valid YAML/);
    await nothingExecuted(before);
  });

  it('a missing field is named by its path', async () => {
    const r = await attempt('0001_missing.json', {
      operations: [{ op: 'renameColumn', from: 'user_email', to: 'email_address' }],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('0001_missing.json:3:5: operations[0].table: Required');
    expect(r.stderr).toContain('operations[0].table: Required');
    await nothingExecuted(before);
  });

  it('an unknown operation is named, with a suggestion', async () => {
    const r = await attempt(
      '0001_typo.yaml',
      'operations:\n  - op: renamColumn\n    table: users\n    from: user_email\n    to: email_address\n',
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /0001_typo\.yaml:2:\d+: operations\[0\]\.op: unknown operation "renamColumn" \(did you mean "renameColumn"\?\)/,
    );
    await nothingExecuted(before);
  });

  it('an unknown field is named', async () => {
    const r = await attempt('0001_extra.json', {
      operations: [{ op: 'renameColumn', tabel: 'users', table: 'users', from: 'user_email', to: 'email_address' }],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('operations[0]: unknown field "tabel"');
  });

  it('a table that does not exist', async () => {
    const r = await attempt('0001_no_table.json', {
      operations: [{ op: 'renameColumn', table: 'accounts', from: 'email', to: 'email_address' }],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('0001_no_table.json: operations[0].table: table accounts does not exist');
    await nothingExecuted(before);
  });

  it('a column that does not exist, and a target that already exists', async () => {
    const missing = await attempt('0001_no_column.json', {
      operations: [{ op: 'renameColumn', table: 'public.users', from: 'email', to: 'email_address' }],
    });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('operations[0].from: column email does not exist on table public.users');
    const taken = await attempt('0001_taken.json', {
      operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'name' }],
    });
    expect(taken.code).toBe(3);
    expect(taken.stderr).toContain('operations[0].to: column name already exists on table public.users');
    await nothingExecuted(before);
  });

  it('a case mismatch is explained', async () => {
    const r = await attempt('0001_case.json', {
      operations: [{ op: 'renameColumn', table: 'users', from: '"User_Email"', to: 'email_address' }],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('column "User_Email" does not exist on table public.users (there is user_email');
  });

  it('an identifier over 63 bytes is refused (Postgres would silently truncate it)', async () => {
    const r = await attempt('0001_long.json', {
      operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'e'.repeat(64) }],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('operations[0].to: "eeee');
    expect(r.stderr).toContain('is 64 bytes; Postgres identifiers are at most 63 bytes');
    await nothingExecuted(before);
  });

  it('a .ts file that exports no migration', async () => {
    const r = await attempt('0001_empty.ts', 'export const x = 1;\n');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('0001_empty.ts: exports no migration');
  });

  it('a .ts file with defineMigration() and the renameColumn() helper plans like its JSON twin', async () => {
    const ts = await attempt(
      '0001_rename.ts',
      `import { defineMigration, renameColumn } from 'zdm';\nexport default defineMigration({ operations: [renameColumn({ table: 'users', from: 'user_email', to: 'email_address' })] });\n`,
      'plan',
    );
    expect(ts.code).toBe(0);
    const json = await attempt(
      '0001_rename.json',
      { operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }] },
      'plan',
    );
    const body = (out: string) => out.split('\n').slice(1).join('\n');
    expect(body(ts.stdout)).toEqual(body(json.stdout));
  });

  it('no database given is a usage error (exit 2)', async () => {
    const dir = await tempMigrationsDir('bad');
    dirs.push(dir);
    const r = await runCli(['status', '--migrations-dir', dir.dir], {
      env: { DATABASE_URL: '', ZDM_DATABASE_URL: '' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no database given');
  });

  it('an unreachable database names the server without its password (exit 1)', async () => {
    const r = await runCli(['status', '--database-url', 'postgres://zdm:s3cret@127.0.0.1:1/nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot connect to postgres://zdm:*****@127.0.0.1:1/nope');
    expect(r.stderr).not.toContain('s3cret');
  });
});

describe('names that need quoting go through the whole lifecycle', () => {
  it.each([
    ['mixed case and spaces', '"User Table"', '"User Email"', '"Email Address"'],
    ['reserved words', '"order"', '"user"', '"select"'],
    ['63-byte identifiers', 'wide', 'c'.repeat(63), 'd'.repeat(63)],
    ['a schema-qualified table', 'billing.accounts', 'user_email', 'email_address'],
  ])('%s', async (label, table, from, to) => {
    const plain = (s: string) => s.replaceAll('"', '');
    const qualified = table.includes('.') ? table : `public.${table}`;
    if (table.startsWith('billing')) await db.query(`CREATE SCHEMA IF NOT EXISTS billing`);
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, ${from} text NOT NULL)`);
    await db.query(`INSERT INTO ${table} SELECT g, 'v' || g FROM generate_series(1, 100) g`);
    const dir = await tempMigrationsDir('quoting');
    dirs.push(dir);
    // Migration names are unique per database (the state is keyed by file name).
    await dir.write(`0001_rename_${label.replace(/\W+/g, '_')}.json`, {
      operations: [{ op: 'renameColumn', table, from, to }],
    });
    const args = ['--migrations-dir', dir.dir, '--database-url', db.url];
    const advanced = await runCli(['advance', '--until', 'contract', ...args]);
    expect(advanced.code, advanced.stderr).toBe(0);
    const columns = await db.query<{ attname: string }>(
      `SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [qualified.replace(/^public\./, 'public.')],
    );
    expect(columns.map((c) => c.attname)).toEqual(['id', plain(to)]);
    const values = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${to} = 'v' || id`);
    expect(values).toEqual([{ n: 100 }]);
  });
});

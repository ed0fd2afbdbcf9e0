import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startApp, type AppClient } from '../helpers/apps.js';
import { tempMigrationsDir, testRunner, type TestRunner } from '../helpers/runner.js';
import { tableSnapshot } from '../helpers/schema.js';
import { expectClean, stopAfterWork, waitForWork } from '../helpers/workload.js';

let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
let runner: TestRunner;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('rename');
  await db.query(`CREATE TABLE users (
    id bigserial PRIMARY KEY,
    name text,
    user_email varchar(200) NOT NULL DEFAULT 'nobody@example.com',
    CONSTRAINT users_email_has_at CHECK (position('@' in user_email) > 0))`);
  await db.query(`CREATE UNIQUE INDEX users_user_email_key ON users (user_email)`);
  await db.query(`CREATE INDEX users_email_lower ON users (lower(user_email)) WHERE name IS NOT NULL`);
  await db.query(
    `INSERT INTO users (name, user_email) SELECT 'user ' || g, 'user' || g || '@example.com' FROM generate_series(1, 5000) g`,
  );
  await db.query('ANALYZE users');
  await dir.write('0001_rename_user_email.json', {
    operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }],
  });
  runner = testRunner(db.url, dir.dir);
});

afterAll(async () => {
  await runner?.close();
  await dir?.remove();
  await db?.drop();
});

const disagreeing = async () =>
  Number(
    (
      await db.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE email_address IS DISTINCT FROM user_email`)
    )[0]!.n,
  );

describe('renameColumn lifecycle under old-app and new-app traffic', () => {
  it('expand -> rollback -> expand -> backfill -> switch -> contract, with both app versions writing', async () => {
    const before = await tableSnapshot(db.pool, 'users');
    const oldApp = startApp({ url: db.url, name: 'old', table: 'users', column: 'user_email' });
    let newApp: AppClient | undefined;

    // expand: new column + sync trigger; old app unaffected, new app can start.
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    newApp = startApp({ url: db.url, name: 'new', table: 'users', column: 'email_address' });
    await waitForWork(newApp);
    const afterExpand = await tableSnapshot(db.pool, 'users');
    expect(afterExpand.columns.some((c) => c.startsWith('email_address character varying(200)'))).toBe(true);
    expect(
      afterExpand.indexes.some((i) => i.includes('users_user_email_key_zdm') && i.includes('(email_address)')),
    ).toBe(true);

    // rollback before contract: the new app goes first (it was never really deployed), then the
    // table is exactly as before expand while the old app keeps writing.
    expectClean(await stopAfterWork(newApp), runner.settings.lockTimeoutMs);
    const rolled = await rollback(runner);
    expect(rolled.undone.length).toBeGreaterThan(0);
    expect(await tableSnapshot(db.pool, 'users')).toEqual(before);

    // expand again, then backfill with both versions writing.
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
    newApp = startApp({ url: db.url, name: 'new', table: 'users', column: 'email_address' });
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['backfill'] });
    expect(runner.events.some((e) => e.type === 'backfill-progress' && e.progress.done)).toBe(true);
    expect(await disagreeing()).toBe(0);

    // switch: verified; the NOT NULL and CHECK copies are validated.
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['switch'] });
    const constraints = (await tableSnapshot(db.pool, 'users')).constraints;
    expect(constraints.filter((c) => c.includes('(not validated)'))).toEqual([]);
    await Promise.all([waitForWork(oldApp), waitForWork(newApp)]);
    expect(await disagreeing()).toBe(0);

    // contract: only the new version runs.
    expectClean(await stopAfterWork(oldApp), runner.settings.lockTimeoutMs);
    expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['contract'], complete: true });
    expectClean(await stopAfterWork(newApp), runner.settings.lockTimeoutMs);

    // The table ends as RENAME COLUMN would leave it: same type, default, NOT NULL, index and
    // constraint names, now on email_address.
    const after = await tableSnapshot(db.pool, 'users');
    const rename = (list: string[]) => list.map((s) => s.replaceAll(/\buser_email\b/g, 'email_address'));
    expect(after.columns).toEqual(rename(before.columns));
    expect(after.indexes).toEqual(rename(before.indexes));
    expect(after.constraints).toEqual(rename(before.constraints));
    expect(after.triggers).toEqual([]);
    expect(after.functions).toEqual([]);
    expect(
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE email_address IS NULL`))[0]!.n),
    ).toBe(0);
    expect(await advance(runner)).toEqual({ kind: 'nothing-pending' });
  });
});

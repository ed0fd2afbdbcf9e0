import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { count, runLifecycle, withMigrations } from '../helpers/lifecycle.js';
import { withoutNotNull } from '../helpers/schema.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const recent = (table: string) => `(SELECT max(id) - (random() * 50)::int FROM ${table})`;

describe('dropColumn lifecycle under old-app and new-app traffic', () => {
  it('drops at contract with its indexes and constraints; `down` keeps a NOT NULL column filled for the old version', async () => {
    await db.query(`CREATE TABLE accounts (
      id bigserial PRIMARY KEY, name text NOT NULL, legacy_code text NOT NULL, nickname text,
      CONSTRAINT accounts_code_not_blank CHECK (legacy_code <> ''))`);
    await db.query(`CREATE INDEX accounts_legacy_code ON accounts (legacy_code)`);
    await db.query(`CREATE INDEX accounts_name_nickname ON accounts (name, nickname)`);
    await db.query(
      `INSERT INTO accounts (name, legacy_code, nickname) SELECT 'account ' || g, 'L' || g, 'n' || g FROM generate_series(1, 3000) g; ANALYZE accounts`,
    );
    const migration = {
      operations: [
        { op: 'dropColumn', table: 'accounts', column: 'legacy_code', down: `'n/a'` },
        { op: 'dropColumn', table: 'accounts', column: 'nickname' },
      ],
    };
    await withMigrations(db, { '0001_drop_account_columns.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['accounts'],
        oldApp: () =>
          startWorkload({
            url: db.url,
            name: 'old',
            queries: [
              (i) => ({
                text: `INSERT INTO accounts (name, legacy_code, nickname) VALUES ($1, $2, 'nick')`,
                values: [`old ${i}`, `OLD${i}`],
              }),
              (i) => ({
                text: `UPDATE accounts SET legacy_code = $1, nickname = 'x' WHERE id = ${recent('accounts')}`,
                values: [`U${i}`],
              }),
              () => ({ text: `SELECT legacy_code, nickname FROM accounts WHERE id = (SELECT max(id) FROM accounts)` }),
            ],
          }),
        newApp: () =>
          startWorkload({
            url: db.url,
            name: 'new',
            queries: [
              (i) => ({ text: `INSERT INTO accounts (name) VALUES ($1)`, values: [`new ${i}`] }),
              (i) => ({
                text: `UPDATE accounts SET name = $1 WHERE id = ${recent('accounts')}`,
                values: [`renamed ${i}`],
              }),
              () => ({ text: `SELECT id, name FROM accounts WHERE id = (SELECT max(id) FROM accounts)` }),
            ],
          }),
        check: async (point) => {
          if (point === 'contract') return;
          // The old version still reads a value in rows the new version wrote.
          expect(await count(db, `SELECT count(*) AS n FROM accounts WHERE legacy_code IS NULL`)).toBe(0);
          if (point !== 'rollback')
            expect(
              await count(db, `SELECT count(*) AS n FROM accounts WHERE name LIKE 'new %' AND legacy_code = 'n/a'`),
            ).toBeGreaterThan(0);
        },
      });
      const accounts = after.accounts!;
      expect(accounts.columns).toEqual([
        `id bigint not null default nextval('accounts_id_seq'::regclass) collation 0`,
        'name text not null collation 100',
      ]);
      expect(accounts.indexes).toEqual(['CREATE UNIQUE INDEX accounts_pkey ON public.accounts USING btree (id)']);
      expect(withoutNotNull(accounts.constraints)).toEqual(['accounts_pkey PRIMARY KEY (id)']);
      expect([...accounts.triggers, ...accounts.functions]).toEqual([]);
    });
  });

  it('without `down`, a NOT NULL column is relaxed during the window; rollback restores NOT NULL once the new rows are fixed', async () => {
    await db.query(`CREATE TABLE profiles (id bigserial PRIMARY KEY, name text NOT NULL, code text NOT NULL)`);
    await db.query(
      `INSERT INTO profiles (name, code) SELECT 'profile ' || g, 'C' || g FROM generate_series(1, 2000) g; ANALYZE profiles`,
    );
    await withMigrations(
      db,
      { '0002_drop_profile_code.json': { operations: [{ op: 'dropColumn', table: 'profiles', column: 'code' }] } },
      async (runner) => {
        let rollbackError: Error | undefined;
        const { after } = await runLifecycle({
          db,
          runner,
          tables: ['profiles'],
          oldApp: () =>
            startWorkload({
              url: db.url,
              name: 'old',
              queries: [
                (i) => ({ text: `INSERT INTO profiles (name, code) VALUES ($1, $2)`, values: [`old ${i}`, `OLD${i}`] }),
                (i) => ({ text: `UPDATE profiles SET code = $1 WHERE id = ${recent('profiles')}`, values: [`U${i}`] }),
                () => ({ text: `SELECT code FROM profiles WHERE id = (SELECT max(id) FROM profiles)` }),
              ],
            }),
          newApp: () =>
            startWorkload({
              url: db.url,
              name: 'new',
              queries: [
                (i) => ({ text: `INSERT INTO profiles (name) VALUES ($1)`, values: [`new ${i}`] }),
                () => ({ text: `SELECT name FROM profiles WHERE id = (SELECT max(id) FROM profiles)` }),
              ],
            }),
          repairBeforeRollback: async (error) => {
            rollbackError = error;
            await db.query(`UPDATE profiles SET code = 'restored' WHERE code IS NULL`);
          },
        });
        // The new version's rows (code NULL) stopped the rollback, which named the check, and it finished once they were fixed.
        expect(rollbackError?.message).toMatch(/profiles_code_zdm_not_null/);
        expect(after.profiles!.columns).toEqual([
          `id bigint not null default nextval('profiles_id_seq'::regclass) collation 0`,
          'name text not null collation 100',
        ]);
      },
    );
  });
});

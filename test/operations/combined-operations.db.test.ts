import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

/**
 * Migrations whose operations depend on each other (issue 11): each later operation plans against
 * the schema as the earlier ones leave it (the virtual schema), and runs through every phase with
 * the old and the new application version writing, and rolls back exactly.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const rows = async (sql: string) => db.query<Record<string, unknown>>(sql);

describe('operations that build on each other, under old- and new-app writes', () => {
  it('rename a column, then index and constrain it under the new name', async () => {
    await db.query(`CREATE TABLE accounts (id bigserial PRIMARY KEY, holder text NOT NULL);
      INSERT INTO accounts (holder) SELECT 'holder ' || g FROM generate_series(1, 2000) g; ANALYZE accounts`);
    const migration = {
      operations: [
        { op: 'renameColumn', table: 'accounts', from: 'holder', to: 'owner_name' },
        { op: 'createIndex', table: 'accounts', name: 'accounts_owner_lower_idx', columns: ['lower(owner_name)'] },
        { op: 'addCheck', table: 'accounts', name: 'accounts_owner_len', expression: 'length(owner_name) < 200' },
      ],
    };
    const app = (name: string, column: string) => () =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          (i) => ({ text: `INSERT INTO accounts (${column}) VALUES ($1)`, values: [`${name} ${i}`] }),
          (i) => ({
            text: `UPDATE accounts SET ${column} = $1 WHERE id = (SELECT max(id) - 5 FROM accounts)`,
            values: [`${name} update ${i}`],
          }),
          () => ({ text: `SELECT ${column} FROM accounts WHERE id = (SELECT max(id) FROM accounts)` }),
        ],
      });
    await withMigrations(db, { '0002_owner_name.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['accounts'],
        oldApp: app('old', 'holder'),
        newApp: app('new', 'owner_name'),
        check: async (point) => {
          if (point === 'rollback' || point === 'expand') return;
          // Every row has the same value under both names (the sync trigger and the backfill).
          if (point !== 'contract')
            expect(await rows(`SELECT id FROM accounts WHERE owner_name IS DISTINCT FROM holder`)).toEqual([]);
        },
      });
      expect(after.accounts!.columns.map((c) => c.split(' ')[0])).toEqual(['id', 'owner_name']);
      expect(after.accounts!.indexes).toContain(
        'CREATE INDEX accounts_owner_lower_idx ON public.accounts USING btree (lower(owner_name))',
      );
      expect(after.accounts!.constraints).toContain('accounts_owner_len CHECK ((length(owner_name) < 200))');
    });
  });

  it('a raw sql step drops the view that used a column, then dropColumn drops the column', async () => {
    await db.query(`CREATE TABLE parcels (id bigserial PRIMARY KEY, weight int NOT NULL, legacy_code text NOT NULL);
      INSERT INTO parcels (weight, legacy_code) SELECT g, 'L' || g FROM generate_series(1, 1000) g;
      CREATE VIEW parcel_codes AS SELECT id, legacy_code FROM parcels`);
    const migration = {
      operations: [
        { op: 'sql', phase: 'contract', sql: 'DROP VIEW parcel_codes', allow: ['drop-view'] },
        { op: 'dropColumn', table: 'parcels', column: 'legacy_code', down: "'n/a'" },
      ],
    };
    const oldApp = () =>
      startWorkload({
        url: db.url,
        name: 'old',
        queries: [
          (i) => ({ text: `INSERT INTO parcels (weight, legacy_code) VALUES ($1, $2)`, values: [i, `old ${i}`] }),
          () => ({ text: `SELECT legacy_code FROM parcel_codes WHERE id = (SELECT max(id) FROM parcels)` }),
        ],
      });
    const newApp = () =>
      startWorkload({
        url: db.url,
        name: 'new',
        queries: [(i) => ({ text: `INSERT INTO parcels (weight) VALUES ($1)`, values: [i] })],
      });
    await withMigrations(db, { '0003_drop_legacy_code.json': migration }, async (runner) => {
      const { after } = await runLifecycle({ db, runner, tables: ['parcels'], oldApp, newApp });
      expect(after.parcels!.columns.map((c) => c.split(' ')[0])).toEqual(['id', 'weight']);
      expect(await rows(`SELECT to_regclass('parcel_codes') AS v`)).toEqual([{ v: null }]);
    });
  });
});

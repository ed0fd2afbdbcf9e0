import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { count, runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

describe('setDefault lifecycle under old-app and new-app traffic', () => {
  it('changes a default and adds a volatile one, metadata only; rollback restores the old default', async () => {
    await db.query(
      `CREATE TABLE plans (id bigserial PRIMARY KEY, name text NOT NULL, tier text NOT NULL DEFAULT 'basic', created_at timestamptz)`,
    );
    await db.query(`INSERT INTO plans (name) SELECT 'plan ' || g FROM generate_series(1, 3000) g; ANALYZE plans`);
    const file = (await db.query<{ f: string }>(`SELECT pg_relation_filenode('plans')::text AS f`))[0]!.f;
    const migration = {
      operations: [
        { op: 'setDefault', table: 'plans', column: 'tier', default: `'free'` },
        { op: 'setDefault', table: 'plans', column: 'created_at', default: 'clock_timestamp()' },
      ],
    };
    await withMigrations(db, { '0001_plan_defaults.json': migration }, async (runner) => {
      const insertOnly = (name: string) =>
        startWorkload({
          url: db.url,
          name,
          queries: [
            (i) => ({ text: `INSERT INTO plans (name) VALUES ($1)`, values: [`${name} ${i}`] }),
            () => ({ text: `SELECT tier, created_at FROM plans WHERE id = (SELECT max(id) FROM plans)` }),
          ],
        });
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['plans'],
        oldApp: () => insertOnly('old'),
        newApp: () => insertOnly('new'),
        check: async (point) => {
          if (point === 'rollback') return;
          // Existing rows keep their values; rows inserted from now on get the new defaults.
          expect(
            await count(
              db,
              `SELECT count(*) AS n FROM plans WHERE id <= 3000 AND (tier <> 'basic' OR created_at IS NOT NULL)`,
            ),
          ).toBe(0);
          expect(
            await count(
              db,
              `SELECT count(*) AS n FROM plans WHERE name LIKE 'new %' AND tier = 'free' AND created_at IS NOT NULL`,
            ),
          ).toBeGreaterThan(0);
        },
      });
      expect(after.plans!.columns.slice(2)).toEqual([
        `tier text not null default 'free'::text collation 100`,
        'created_at timestamp with time zone default clock_timestamp() collation 0',
      ]);
      expect((await db.query<{ f: string }>(`SELECT pg_relation_filenode('plans')::text AS f`))[0]!.f).toBe(file);
    });
  });
});

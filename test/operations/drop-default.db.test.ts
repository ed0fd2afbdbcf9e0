import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { count, runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

describe('dropDefault lifecycle under old-app and new-app traffic', () => {
  it('keeps the default while the old version relies on it, drops it at contract', async () => {
    await db.query(
      `CREATE TABLE signups (id bigserial PRIMARY KEY, name text NOT NULL, source text NOT NULL DEFAULT 'web')`,
    );
    await db.query(`INSERT INTO signups (name) SELECT 'signup ' || g FROM generate_series(1, 2000) g; ANALYZE signups`);
    await withMigrations(
      db,
      { '0001_source_required.json': { operations: [{ op: 'dropDefault', table: 'signups', column: 'source' }] } },
      async (runner) => {
        const { after } = await runLifecycle({
          db,
          runner,
          tables: ['signups'],
          // The old version never gives source: it relies on the default until contract.
          oldApp: () =>
            startWorkload({
              url: db.url,
              name: 'old',
              queries: [
                (i) => ({ text: `INSERT INTO signups (name) VALUES ($1)`, values: [`old ${i}`] }),
                () => ({ text: `SELECT source FROM signups WHERE id = (SELECT max(id) FROM signups)` }),
              ],
            }),
          newApp: () =>
            startWorkload({
              url: db.url,
              name: 'new',
              queries: [
                (i) => ({ text: `INSERT INTO signups (name, source) VALUES ($1, 'api')`, values: [`new ${i}`] }),
                () => ({ text: `SELECT source FROM signups WHERE id = (SELECT max(id) FROM signups)` }),
              ],
            }),
          check: async (point) => {
            expect(
              await count(db, `SELECT count(*) AS n FROM signups WHERE name LIKE 'old %' AND source <> 'web'`),
            ).toBe(0);
            if (point !== 'rollback')
              expect(
                await count(db, `SELECT count(*) AS n FROM signups WHERE name LIKE 'new %' AND source = 'api'`),
              ).toBeGreaterThan(0);
          },
        });
        expect(after.signups!.columns).toContain('source text not null collation 100');
        await expect(db.query(`INSERT INTO signups (name) VALUES ('no source')`)).rejects.toThrow(
          /null value in column "source"/,
        );
      },
    );
  });
});

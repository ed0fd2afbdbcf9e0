import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { count, runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const recent = `(SELECT max(id) - (random() * 50)::int FROM contacts)`;

describe('dropNotNull lifecycle under old-app and new-app traffic', () => {
  it('relaxed at expand so the new version can write NULL; rollback restores NOT NULL (and its name) once NULLs are fixed', async () => {
    await db.query(`CREATE TABLE contacts (id bigserial PRIMARY KEY, name text NOT NULL, phone text NOT NULL)`);
    await db.query(
      `INSERT INTO contacts (name, phone) SELECT 'contact ' || g, '555-' || g FROM generate_series(1, 3000) g; ANALYZE contacts`,
    );
    await withMigrations(
      db,
      { '0001_phone_optional.json': { operations: [{ op: 'dropNotNull', table: 'contacts', column: 'phone' }] } },
      async (runner) => {
        let rollbackError: Error | undefined;
        const { after } = await runLifecycle({
          db,
          runner,
          tables: ['contacts'],
          oldApp: () =>
            startWorkload({
              url: db.url,
              name: 'old',
              queries: [
                (i) => ({
                  text: `INSERT INTO contacts (name, phone) VALUES ($1, $2)`,
                  values: [`old ${i}`, `555-${i}`],
                }),
                (i) => ({ text: `UPDATE contacts SET phone = $1 WHERE id = ${recent}`, values: [`556-${i}`] }),
                () => ({ text: `SELECT phone FROM contacts WHERE id = (SELECT max(id) FROM contacts)` }),
              ],
            }),
          newApp: () =>
            startWorkload({
              url: db.url,
              name: 'new',
              queries: [
                (i) => ({ text: `INSERT INTO contacts (name) VALUES ($1)`, values: [`new ${i}`] }),
                () => ({ text: `UPDATE contacts SET phone = NULL WHERE id = ${recent}` }),
                () => ({
                  text: `SELECT coalesce(phone, 'none') FROM contacts WHERE id = (SELECT max(id) FROM contacts)`,
                }),
              ],
            }),
          check: async (point) => {
            if (point !== 'rollback')
              expect(await count(db, `SELECT count(*) AS n FROM contacts WHERE phone IS NULL`)).toBeGreaterThan(0);
          },
          repairBeforeRollback: async (error) => {
            rollbackError = error;
            await db.query(`UPDATE contacts SET phone = 'unknown' WHERE phone IS NULL`);
          },
        });
        expect(rollbackError?.message).toMatch(/contacts_phone_zdm_not_null/);
        expect(after.contacts!.columns).toContain('phone text collation 100');
        expect(after.contacts!.constraints.some((c) => c.includes('phone'))).toBe(false);
      },
    );
  });

  it("with down: NOT NULL kept until contract, the new version's NULL writes get down, so the old version never reads NULL and rollback is clean", async () => {
    await db.query(`CREATE TABLE notes (id bigserial PRIMARY KEY, title text NOT NULL)`);
    await db.query(`INSERT INTO notes (title) SELECT 'note ' || g FROM generate_series(1, 1000) g; ANALYZE notes`);
    const latest = `(SELECT max(id) - (random() * 50)::int FROM notes)`;
    const migration = { operations: [{ op: 'dropNotNull', table: 'notes', column: 'title', down: "'untitled'" }] };
    await withMigrations(db, { '0002_title_optional.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['notes'],
        oldApp: () =>
          startWorkload({
            url: db.url,
            name: 'old',
            queries: [
              (i) => ({ text: `INSERT INTO notes (title) VALUES ($1)`, values: [`old ${i}`] }),
              // The old version relies on NOT NULL: a NULL title fails its query.
              () => ({
                text: `SELECT 1 / (CASE WHEN title IS NULL THEN 0 ELSE 1 END) FROM notes WHERE id = ${latest}`,
              }),
            ],
          }),
        newApp: () =>
          startWorkload({
            url: db.url,
            name: 'new',
            queries: [
              () => ({ text: `INSERT INTO notes (title) VALUES (NULL)` }),
              () => ({ text: `UPDATE notes SET title = NULL WHERE id = ${latest}` }),
            ],
          }),
        check: async (point) => {
          // NULL is stored from contract on, when only the new version runs.
          if (point !== 'contract')
            expect(await count(db, `SELECT count(*) AS n FROM notes WHERE title IS NULL`)).toBe(0);
          if (point !== 'rollback')
            expect(await count(db, `SELECT count(*) AS n FROM notes WHERE title = 'untitled'`)).toBeGreaterThan(0);
        },
      });
      expect(after.notes!.columns).toContain('title text collation 100');
      expect(after.notes!.triggers).toEqual([]);
      await db.query(`INSERT INTO notes (title) VALUES (NULL)`);
      expect(await count(db, `SELECT count(*) AS n FROM notes WHERE title IS NULL`)).toBeGreaterThan(0);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startApp } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

describe('addUnique lifecycle under old-app and new-app traffic', () => {
  it('unique index built CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX', async () => {
    await db.query(
      `CREATE TABLE members (id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL, region text NOT NULL DEFAULT 'eu')`,
    );
    await db.query(
      `INSERT INTO members (name, email) SELECT 'member ' || g, 'member' || g || '@example.com' FROM generate_series(1, 4000) g; ANALYZE members`,
    );
    const migration = {
      operations: [
        { op: 'addUnique', table: 'members', name: 'members_email_region_key', columns: ['email', 'region'] },
      ],
    };
    await withMigrations(db, { '0001_member_email_unique.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['members'],
        oldApp: () => startApp({ url: db.url, name: 'old', table: 'members', column: 'email' }),
        newApp: () => startApp({ url: db.url, name: 'new', table: 'members', column: 'email' }),
        check: async (point) => {
          if (point === 'rollback') return;
          await expect(
            db.query(`INSERT INTO members (name, email) VALUES ('dup', 'member1@example.com')`),
          ).rejects.toThrow(/members_email_region_key/);
        },
      });
      expect(after.members!.constraints).toContain('members_email_region_key UNIQUE (email, region)');
      expect(after.members!.indexes).toContain(
        'CREATE UNIQUE INDEX members_email_region_key ON public.members USING btree (email, region)',
      );
    });
  });

  it('duplicates fail the build naming the key, leave no INVALID index, and roll back cleanly', async () => {
    await db.query(`CREATE TABLE handles (id bigserial PRIMARY KEY, handle text)`);
    await db.query(`INSERT INTO handles (handle) VALUES ('ann'), ('bob'), ('ann')`);
    const before = await tableSnapshot(db.pool, 'handles');
    await withMigrations(
      db,
      {
        '0002_handle_unique.json': {
          operations: [{ op: 'addUnique', table: 'handles', name: 'handles_handle_key', columns: ['handle'] }],
        },
      },
      async (runner) => {
        const error = (await advance(runner).catch((e: Error) => e)) as Error;
        expect(error.message).toMatch(
          /could not create unique index "handles_handle_key" \(Key \(handle\)=\(ann\) is duplicated\.\)/,
        );
        expect(await tableSnapshot(db.pool, 'handles')).toEqual(before);
        await rollback(runner);
        expect(await tableSnapshot(db.pool, 'handles')).toEqual(before);
      },
    );
  });
});

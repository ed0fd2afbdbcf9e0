import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startApp } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

describe('dropIndex lifecycle under old-app and new-app traffic', () => {
  it('kept while the old version may need it, dropped CONCURRENTLY at contract', async () => {
    await db.query(`CREATE SCHEMA content`);
    await db.query(`CREATE TABLE content.articles (id bigserial PRIMARY KEY, name text NOT NULL, title text)`);
    await db.query(`CREATE INDEX articles_title_idx ON content.articles (title)`);
    await db.query(
      `INSERT INTO content.articles (name, title) SELECT 'article ' || g, 'title ' || g FROM generate_series(1, 4000) g; ANALYZE content.articles`,
    );
    await withMigrations(
      db,
      { '0001_drop_title_index.json': { operations: [{ op: 'dropIndex', name: 'content.articles_title_idx' }] } },
      async (runner) => {
        const { before, after } = await runLifecycle({
          db,
          runner,
          tables: ['content.articles'],
          oldApp: () => startApp({ url: db.url, name: 'old', table: 'content.articles', column: 'title' }),
          newApp: () => startApp({ url: db.url, name: 'new', table: 'content.articles', column: 'title' }),
        });
        expect(before['content.articles']!.indexes).toContain(
          'CREATE INDEX articles_title_idx ON content.articles USING btree (title)',
        );
        expect(after['content.articles']!.indexes).toEqual([
          'CREATE UNIQUE INDEX articles_pkey ON content.articles USING btree (id)',
        ]);
      },
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { count, runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

/** The old version writes titles of two characters, which the check rejects; the new one writes long ones. */
const posts = (name: string, title: (i: number) => string) =>
  startWorkload({
    url: db.url,
    name,
    queries: [
      (i) => ({ text: `INSERT INTO posts (title) VALUES ($1)`, values: [title(i)] }),
      (i) => ({
        text: `UPDATE posts SET title = $1 WHERE id = (SELECT max(id) - (random() * 50)::int FROM posts)`,
        values: [title(i)],
      }),
      () => ({ text: `SELECT title FROM posts WHERE id = (SELECT max(id) FROM posts)` }),
    ],
  });

const UP = "CASE WHEN length(title) > 3 THEN title ELSE rpad(title, 4, '-') END";

describe('addCheck with up: the check fixes the data it would reject', () => {
  it('short titles padded in a checked copy; the old application keeps its values until switch and never fails', async () => {
    await db.query(`CREATE TABLE posts (id bigserial PRIMARY KEY, title text NOT NULL DEFAULT 'untitled')`);
    await db.query(
      `INSERT INTO posts (title) SELECT CASE WHEN g % 10 = 0 THEN 'p' || g % 7 ELSE 'post ' || g END FROM generate_series(1, 2000) g; ANALYZE posts`,
    );
    const migration = {
      operations: [
        { op: 'addCheck', table: 'posts', name: 'title_length', expression: 'length(title) > 3', up: { title: UP } },
      ],
    };
    await withMigrations(db, { '0001_title_length.json': migration }, async (runner) => {
      const short = () => count(db, `SELECT count(*) AS n FROM posts WHERE length(title) <= 3`);
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['posts'],
        oldApp: () => posts('old', (i) => `o${i % 10}`),
        newApp: () => posts('new', (i) => `new post ${i}`),
        check: async (point) => {
          if (point === 'rollback' || point === 'expand') {
            // The old application's values are its own: still short in the column it reads.
            expect(await short()).toBeGreaterThan(0);
          }
          if (point === 'expand') {
            // What the old application wrote since expand is in the copy, padded.
            expect(await count(db, `SELECT count(*) AS n FROM posts WHERE title_zdm_new IS NOT NULL`)).toBeGreaterThan(
              0,
            );
            expect(
              await count(
                db,
                `SELECT count(*) AS n FROM posts WHERE title_zdm_new IS DISTINCT FROM (${UP}) AND title_zdm_new IS NOT NULL`,
              ),
            ).toBe(0);
          }
          if (point === 'backfill')
            expect(
              await count(db, `SELECT count(*) AS n FROM posts WHERE title_zdm_new IS DISTINCT FROM (${UP})`),
            ).toBe(0);
          if (point === 'switch' || point === 'contract') expect(await short()).toBe(0);
          if (point === 'contract')
            await expect(db.query(`INSERT INTO posts (title) VALUES ('ab')`)).rejects.toThrow(/title_length/);
        },
      });
      expect(after.posts!.constraints).toContain('title_length CHECK ((length(title) > 3))');
      expect(after.posts!.columns).toEqual([
        "id bigint not null default nextval('posts_id_seq'::regclass) collation 0",
        "title text not null default 'untitled'::text collation 100",
      ]);
      expect(after.posts!.triggers).toEqual([]);
      expect(await count(db, `SELECT count(*) AS n FROM posts WHERE title = 'p1--'`)).toBeGreaterThan(0);
    });
  });
});

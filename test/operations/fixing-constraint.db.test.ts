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

describe('constraints whose up fixes the data they would reject', () => {
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

  it('addUnique: duplicates get up in a copy carrying the unique index; after the swap only a duplicating write is rewritten', async () => {
    await db.query(`CREATE TABLE reviews (id bigserial PRIMARY KEY, review text NOT NULL)`);
    await db.query(
      `INSERT INTO reviews (review) SELECT 'r' || g % 300 FROM generate_series(1, 1000) g; ANALYZE reviews`,
    );
    const reviews = (name: string, review: (i: number) => string) =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          (i) => ({ text: `INSERT INTO reviews (review) VALUES ($1)`, values: [review(i)] }),
          (i) => ({
            text: `UPDATE reviews SET review = $1 WHERE id = (SELECT max(id) - (random() * 50)::int FROM reviews)`,
            values: [review(i)],
          }),
        ],
      });
    const up = "review || '-' || id";
    const migration = {
      operations: [
        { op: 'addUnique', table: 'reviews', name: 'reviews_review_unique', columns: ['review'], up: { review: up } },
      ],
    };
    const duplicated = () =>
      count(db, `SELECT count(*) AS n FROM (SELECT review FROM reviews GROUP BY review HAVING count(*) > 1) d`);
    await withMigrations(db, { '0002_reviews_unique.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['reviews'],
        // The old version writes a handful of values over and over; the new one, values of its own.
        oldApp: () => reviews('old', (i) => `old ${i % 5}`),
        newApp: () => reviews('new', (i) => `new ${i} ${Math.random()}`),
        check: async (point) => {
          if (point === 'rollback' || point === 'expand') expect(await duplicated()).toBeGreaterThan(0);
          if (point === 'backfill')
            expect(
              await count(db, `SELECT count(*) AS n FROM reviews WHERE review_zdm_new IS DISTINCT FROM (${up})`),
            ).toBe(0);
          if (point === 'switch') {
            expect(await duplicated()).toBe(0);
            // An accepted value is kept as written; a duplicate gets up instead of failing.
            const [kept] = await db.query<{ id: string; review: string }>(
              `INSERT INTO reviews (review) VALUES ('a fresh one') RETURNING id, review`,
            );
            expect(kept!.review).toBe('a fresh one');
            const [fixed] = await db.query<{ id: string; review: string }>(
              `INSERT INTO reviews (review) VALUES ('a fresh one') RETURNING id, review`,
            );
            expect(fixed!.review).toBe(`a fresh one-${fixed!.id}`);
          }
          if (point === 'contract')
            // Row 1 is old: neither version updates it.
            await expect(
              db.query(`INSERT INTO reviews (review) SELECT review FROM reviews WHERE id = 1`),
            ).rejects.toThrow(/reviews_review_unique/);
        },
      });
      expect(after.reviews!.constraints).toContain('reviews_review_unique UNIQUE (review)');
      expect(after.reviews!.columns).toEqual([
        "id bigint not null default nextval('reviews_id_seq'::regclass) collation 0",
        'review text not null collation 100',
      ]);
      expect(after.reviews!.triggers).toEqual([]);
      expect(await count(db, `SELECT count(*) AS n FROM reviews WHERE review = 'r1'`)).toBe(0);
      expect(await count(db, `SELECT count(*) AS n FROM reviews WHERE review = 'r1-1'`)).toBe(1);
    });
  });
});

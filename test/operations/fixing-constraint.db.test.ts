import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
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
            // An accepted value is kept as written; a duplicate gets up instead of failing (row 1
            // is old: neither version updates it, so its value is there to duplicate).
            const [kept] = await db.query<{ review: string }>(
              `INSERT INTO reviews (review) VALUES ('a fresh one') RETURNING review`,
            );
            expect(kept!.review).toBe('a fresh one');
            const [fixed] = await db.query<{ id: string; review: string }>(
              `INSERT INTO reviews (review) SELECT review FROM reviews WHERE id = 1 RETURNING id, review`,
            );
            expect(fixed!.review).toBe(`r1-1-${fixed!.id}`);
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

  it('addForeignKey: orphans get up (NULL) in a copy carrying the key; after the swap only an orphan write is rewritten', async () => {
    await db.query(`CREATE TABLE authors (id int PRIMARY KEY)`);
    await db.query(`CREATE TABLE books (id bigserial PRIMARY KEY, author_id int)`);
    await db.query(`INSERT INTO authors SELECT generate_series(1, 100)`);
    await db.query(`INSERT INTO books (author_id) SELECT g % 150 FROM generate_series(1, 1000) g; ANALYZE books`);
    const books = (name: string, author: (i: number) => number) =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          (i) => ({ text: `INSERT INTO books (author_id) VALUES ($1)`, values: [author(i)] }),
          (i) => ({
            text: `UPDATE books SET author_id = $1 WHERE id = (SELECT max(id) - (random() * 50)::int FROM books)`,
            values: [author(i)],
          }),
        ],
      });
    const migration = {
      operations: [
        {
          op: 'addForeignKey',
          table: 'books',
          name: 'books_author_fk',
          columns: ['author_id'],
          references: { table: 'authors', columns: ['id'] },
          onDelete: 'cascade',
          up: { author_id: 'NULL' },
        },
      ],
    };
    const orphans = (column = 'author_id') =>
      count(
        db,
        `SELECT count(*) AS n FROM books b WHERE ${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM authors a WHERE a.id = b.${column})`,
      );
    await withMigrations(db, { '0003_books_author.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['books', 'authors'],
        // The old version writes authors that do not exist every other time; the new one, existing ones.
        oldApp: () => books('old', (i) => (i % 2 === 0 ? 1000 + i : 1 + (i % 100))),
        newApp: () => books('new', (i) => 1 + (i % 100)),
        check: async (point) => {
          if (point === 'rollback' || point === 'expand') expect(await orphans()).toBeGreaterThan(0);
          if (point === 'expand' || point === 'backfill') expect(await orphans('author_id_zdm_new')).toBe(0);
          if (point === 'backfill')
            expect(
              await count(
                db,
                `SELECT count(*) AS n FROM books WHERE author_id BETWEEN 1 AND 100 AND author_id_zdm_new IS DISTINCT FROM author_id`,
              ),
            ).toBe(0);
          if (point === 'switch') {
            expect(await orphans()).toBe(0);
            const [kept] = await db.query<{ author_id: number | null }>(
              `INSERT INTO books (author_id) VALUES (7) RETURNING author_id`,
            );
            expect(kept!.author_id).toBe(7);
            const [fixed] = await db.query<{ author_id: number | null }>(
              `INSERT INTO books (author_id) VALUES (99999) RETURNING author_id`,
            );
            expect(fixed!.author_id).toBeNull();
          }
          if (point === 'contract')
            await expect(db.query(`INSERT INTO books (author_id) VALUES (99999)`)).rejects.toThrow(/books_author_fk/);
        },
      });
      expect(after.books!.constraints).toContain(
        'books_author_fk FOREIGN KEY (author_id) REFERENCES authors(id) ON DELETE CASCADE',
      );
      expect(after.books!.columns).toEqual([
        "id bigint not null default nextval('books_id_seq'::regclass) collation 0",
        'author_id integer collation 0',
      ]);
      expect(after.books!.triggers).toEqual([]);
      expect(await count(db, `SELECT count(*) AS n FROM books WHERE author_id IS NULL`)).toBeGreaterThan(0);
    });
  });

  it('a check with up after a direct type change, NOT NULL with up, a default and a unique constraint on the same column (pgroll 35)', async () => {
    await db.query(`CREATE TABLE events (id bigserial PRIMARY KEY, name varchar(255) DEFAULT '<placeholder>')`);
    await db.query(
      `INSERT INTO events (name) SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE 'event ' || g END FROM generate_series(1, 500) g`,
    );
    await db.query(`INSERT INTO events (name) VALUES ('ab'); ANALYZE events`);
    const UP_NAME = "CASE WHEN name IS NULL OR length(name) <= 3 THEN 'placeholder ' || id ELSE name END";
    const migration = {
      operations: [
        { op: 'changeColumnType', table: 'events', column: 'name', type: 'text' },
        { op: 'setDefault', table: 'events', column: 'name', default: "'unknown event'" },
        { op: 'setNotNull', table: 'events', column: 'name', up: "'placeholder ' || id" },
        { op: 'addUnique', table: 'events', name: 'events_name_unique', columns: ['name'] },
        {
          op: 'addCheck',
          table: 'events',
          name: 'event_name_length',
          expression: 'length(name) > 3',
          up: { name: UP_NAME },
        },
      ],
    };
    // Unique names (the unique constraint holds from expand): the old version writes a short one now
    // and then, the new one long ones.
    const events = (name: string, value: (i: number) => string | null) =>
      startWorkload({
        url: db.url,
        name,
        queries: [(i) => ({ text: `INSERT INTO events (name) VALUES ($1)`, values: [value(i)] })],
      });
    await withMigrations(db, { '0004_events_name.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['events'],
        oldApp: () => events('old', (i) => (i % 20 === 0 ? `s${i / 20}` : `old event ${i} ${Math.random()}`)),
        newApp: () => events('new', (i) => `new event ${i} ${Math.random()}`),
        check: async (point) => {
          if (point === 'switch' || point === 'contract')
            expect(await count(db, `SELECT count(*) AS n FROM events WHERE name IS NULL OR length(name) <= 3`)).toBe(0);
        },
      });
      expect(after.events!.columns).toContain("name text not null default 'unknown event'::text collation 100");
      expect(after.events!.constraints).toEqual(
        expect.arrayContaining(['event_name_length CHECK ((length(name) > 3))', 'events_name_unique UNIQUE (name)']),
      );
      expect(after.events!.constraints.join(' ')).not.toMatch(/zdm/);
      expect(after.events!.triggers).toEqual([]);
    });
  });

  it('a policy on the fixed column follows the copy: stated again in the swap, undone by rollback, kept after contract', async () => {
    const role = `${db.name}_author`;
    await db.query(`CREATE ROLE ${role};
      CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);
      INSERT INTO notes (body) SELECT CASE WHEN g % 5 = 0 THEN 'x' ELSE 'note ' || g END FROM generate_series(1, 500) g;
      GRANT SELECT ON notes TO ${role};
      ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
      CREATE POLICY public_notes ON notes TO ${role} USING (body NOT LIKE 'secret%')`);
    const policy = () =>
      db.query(`SELECT policyname, roles::text[] AS roles, qual FROM pg_policies WHERE tablename = 'notes'`);
    const seen = async () => {
      const client = await db.pool.connect();
      try {
        await client.query(`BEGIN; SET LOCAL ROLE ${role}`);
        return (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM notes`)).rows[0]!.n;
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };
    const before = await policy();
    await db.query(`INSERT INTO notes (body) VALUES ('secret one')`);
    const visible = await seen();
    expect(visible).toBe(500);
    const migration = {
      operations: [
        {
          op: 'addCheck',
          table: 'notes',
          name: 'body_length',
          expression: 'length(body) > 3',
          up: { body: "CASE WHEN length(body) > 3 THEN body ELSE rpad(body, 4, '.') END" },
        },
      ],
    };
    try {
      await withMigrations(db, { '0005_body_length.json': migration }, async (runner) => {
        await advance(runner, { until: 'switch' });
        expect(await seen()).toBe(visible);
        await rollback(runner);
        expect(await policy()).toEqual(before);
        await advance(runner, { until: 'contract' });
      });
      expect(await policy()).toEqual(before);
      expect(await seen()).toBe(visible);
      expect(await count(db, `SELECT count(*) AS n FROM notes WHERE length(body) <= 3`)).toBe(0);
    } finally {
      await db.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });
});

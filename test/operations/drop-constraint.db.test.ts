import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const DROPPED = ['title_length', 'posts_author_fk', 'posts_slug_key', 'posts_code_excl'];

/** Writes that satisfy every constraint: they must succeed from both versions at every point. */
const writer = (name: string) =>
  startWorkload({
    url: db.url,
    name,
    queries: [
      (i) => ({
        text: `INSERT INTO posts (title, author_id, slug, code) VALUES ($1, 1 + $2::int % 20, $3, $3)`,
        values: [`${name} title ${i}`, i, `${name}-${i}-${Math.random()}`],
      }),
      () => ({ text: `UPDATE posts SET title = title || '!' WHERE id = (SELECT max(id) FROM posts)` }),
      () => ({ text: `SELECT title FROM posts WHERE id = (SELECT max(id) FROM posts)` }),
    ],
  });

/** One write per dropped constraint that only that constraint rejects. */
const violations = [
  `INSERT INTO posts (title, author_id, slug, code) VALUES ('ab', 1, 'v-check', 'v-check')`,
  `INSERT INTO posts (title, author_id, slug, code) VALUES ('orphan', 999999, 'v-fk', 'v-fk')`,
  `INSERT INTO posts (title, author_id, slug, code) VALUES ('dup slug', 1, 'seed-1', 'v-unique')`,
  `INSERT INTO posts (title, author_id, slug, code) VALUES ('dup code', 1, 'v-excl', 'seed-1')`,
];

describe('dropConstraint lifecycle under old-app and new-app traffic', () => {
  it('CHECK, FOREIGN KEY, UNIQUE and EXCLUDE hold for both versions until contract, then are gone', async () => {
    await db.query(`CREATE TABLE authors (id bigserial PRIMARY KEY, name text)`);
    await db.query(`INSERT INTO authors (name) SELECT 'author ' || g FROM generate_series(1, 20) g`);
    await db.query(`CREATE TABLE posts (
      id bigserial PRIMARY KEY, title text NOT NULL, author_id bigint, slug text, code text,
      CONSTRAINT title_length CHECK (length(title) > 3),
      CONSTRAINT posts_author_fk FOREIGN KEY (author_id) REFERENCES authors (id),
      CONSTRAINT posts_slug_key UNIQUE (slug),
      CONSTRAINT posts_code_excl EXCLUDE USING btree (code WITH =))`);
    await db.query(
      `INSERT INTO posts (title, author_id, slug, code) SELECT 'title ' || g, 1 + g % 20, 'seed-' || g, 'seed-' || g FROM generate_series(1, 2000) g; ANALYZE posts`,
    );
    const migration = { operations: DROPPED.map((name) => ({ op: 'dropConstraint', table: 'posts', name })) };
    await withMigrations(db, { '0001_drop_post_constraints.json': migration }, async (runner) => {
      const { before, after } = await runLifecycle({
        db,
        runner,
        tables: ['posts', 'authors'],
        oldApp: () => writer('old'),
        newApp: () => writer('new'),
        check: async (point) => {
          if (point === 'contract') return;
          // Until contract every guarantee holds: each violating write fails, naming its constraint.
          for (const [i, sql] of violations.entries())
            await expect(db.query(sql), `${point}: ${DROPPED[i]}`).rejects.toThrow(DROPPED[i]);
        },
      });
      expect(before.posts!.constraints.filter((c) => DROPPED.some((d) => c.startsWith(`${d} `)))).toHaveLength(4);
      expect(after.posts!.constraints.filter((c) => DROPPED.some((d) => c.startsWith(`${d} `)))).toEqual([]);
      expect(after.posts!.indexes).toEqual(['CREATE UNIQUE INDEX posts_pkey ON public.posts USING btree (id)']);
      for (const sql of violations) await db.query(sql);
    });
  });
});

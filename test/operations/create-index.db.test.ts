import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload, type AppQuery } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const people = (name: string): AppQuery[] => [
  (i) => ({
    text: `INSERT INTO people (name, email) VALUES ($1, $2)`,
    values: [`${name} ${i}`, `${name}-${process.pid}-${Date.now()}-${i}@Example.com`],
  }),
  () => ({
    text: `UPDATE people SET deleted_at = now() WHERE id = (SELECT max(id) - (random() * 50)::int FROM people)`,
  }),
  () => ({
    text: `SELECT id FROM people WHERE lower(email) = lower($1) AND deleted_at IS NULL`,
    values: ['person7@example.com'],
  }),
];

describe('createIndex lifecycle under old-app and new-app traffic', () => {
  it('unique partial expression index, a multi-column index with INCLUDE, a hash index, storage parameters, CONCURRENTLY', async () => {
    await db.query(
      `CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz)`,
    );
    await db.query(
      `INSERT INTO people (name, email) SELECT 'person ' || g, 'Person' || g || '@example.com' FROM generate_series(1, 4000) g; ANALYZE people`,
    );
    const migration = {
      operations: [
        {
          op: 'createIndex',
          table: 'people',
          name: 'people_email_live',
          columns: ['lower(email)'],
          unique: true,
          where: 'deleted_at IS NULL',
          method: 'btree',
        },
        {
          op: 'createIndex',
          table: 'people',
          name: 'people_name_created',
          columns: ['name', 'created_at DESC'],
          include: ['email'],
          storageParameters: { fillfactor: 80, deduplicate_items: false },
        },
        {
          op: 'createIndex',
          table: 'people',
          name: 'people_name_hash',
          columns: ['name'],
          method: 'hash',
          storageParameters: { fillfactor: 70 },
        },
      ],
    };
    await withMigrations(db, { '0001_people_indexes.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['people'],
        oldApp: () => startWorkload({ url: db.url, name: 'old', queries: people('old') }),
        newApp: () => startWorkload({ url: db.url, name: 'new', queries: people('new') }),
        check: async (point) => {
          if (point === 'rollback') return;
          await expect(
            db.query(`INSERT INTO people (name, email) VALUES ('dup', 'PERSON9@example.com')`),
          ).rejects.toThrow(/people_email_live/);
        },
      });
      expect(after.people!.indexes).toEqual([
        "CREATE INDEX people_name_created ON public.people USING btree (name, created_at DESC) INCLUDE (email) WITH (fillfactor='80', deduplicate_items='false')",
        "CREATE INDEX people_name_hash ON public.people USING hash (name) WITH (fillfactor='70')",
        'CREATE UNIQUE INDEX people_email_live ON public.people USING btree (lower(email)) WHERE (deleted_at IS NULL)',
        'CREATE UNIQUE INDEX people_pkey ON public.people USING btree (id)',
      ]);
    });
  });

  it('an INVALID index left by a failed build is detected, dropped and rebuilt', async () => {
    await db.query(`CREATE TABLE tags (id bigserial PRIMARY KEY, label text NOT NULL)`);
    await db.query(`INSERT INTO tags (label) VALUES ('a'), ('b'), ('a')`);
    await expect(db.query(`CREATE UNIQUE INDEX CONCURRENTLY tags_label_key ON tags (label)`)).rejects.toThrow(
      /could not create unique index/,
    );
    expect((await tableSnapshot(db.pool, 'tags')).indexes).toContain(
      'CREATE UNIQUE INDEX tags_label_key ON public.tags USING btree (label) INVALID',
    );
    await db.query(`DELETE FROM tags WHERE id = 3`);
    await withMigrations(
      db,
      {
        '0002_tags_label.json': {
          operations: [{ op: 'createIndex', table: 'tags', name: 'tags_label_key', columns: ['label'], unique: true }],
        },
      },
      async (runner) => {
        expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
        expect((await tableSnapshot(db.pool, 'tags')).indexes).toContain(
          'CREATE UNIQUE INDEX tags_label_key ON public.tags USING btree (label)',
        );
      },
    );
  });
});

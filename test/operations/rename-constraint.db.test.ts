import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

/** Upserts: the old version names the constraint (ON CONFLICT ON CONSTRAINT), the new one names the columns. */
const upserts = (name: string, conflict: string) =>
  startWorkload({
    url: db.url,
    name,
    queries: [
      (i) => ({
        text: `INSERT INTO people (name, visits) VALUES ($1, 1) ON CONFLICT ${conflict} DO UPDATE SET visits = people.visits + 1`,
        values: [`person ${i % 300}`],
      }),
      (i) => ({ text: `INSERT INTO people (name, visits) VALUES ($1, 1)`, values: [`${name} ${i} ${Math.random()}`] }),
    ],
  });

describe('renameConstraint lifecycle under old-app and new-app traffic', () => {
  it('the old name works for the old version until contract; the new name after', async () => {
    await db.query(`CREATE TABLE people (id bigserial PRIMARY KEY, name text NOT NULL, visits int NOT NULL,
      CONSTRAINT name_length CHECK (length(name) > 3), CONSTRAINT people_name_key UNIQUE (name))`);
    await db.query(
      `INSERT INTO people (name, visits) SELECT 'person ' || g, 0 FROM generate_series(1, 1000) g; ANALYZE people`,
    );
    const migration = {
      operations: [
        { op: 'renameConstraint', table: 'people', from: 'name_length', to: 'name_length_check' },
        { op: 'renameConstraint', table: 'people', from: 'people_name_key', to: 'people_unique_name' },
      ],
    };
    await withMigrations(db, { '0001_rename_people_constraints.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['people'],
        oldApp: () => upserts('old', 'ON CONSTRAINT people_name_key'),
        newApp: () => upserts('new', '(name)'),
      });
      expect(after.people!.constraints.filter((c) => !c.includes('NOT NULL'))).toEqual([
        'name_length_check CHECK ((length(name) > 3))',
        'people_pkey PRIMARY KEY (id)',
        'people_unique_name UNIQUE (name)',
      ]);
      expect(after.people!.indexes).toContain(
        'CREATE UNIQUE INDEX people_unique_name ON public.people USING btree (name)',
      );
    });
  });
});

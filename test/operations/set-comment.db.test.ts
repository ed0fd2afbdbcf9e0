import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const writer = (name: string, columns: string) =>
  startWorkload({
    url: db.url,
    name,
    queries: [
      (i) => ({ text: `INSERT INTO events (${columns}) VALUES ($1)`, values: [`${name} ${i}`] }),
      () => ({ text: `UPDATE events SET name = name || '!' WHERE id = (SELECT max(id) FROM events)` }),
    ],
  });

describe('setComment lifecycle under old-app and new-app traffic', () => {
  it('sets and removes table and column comments at expand; rollback restores each exactly', async () => {
    await db.query(`CREATE TABLE events (id bigserial PRIMARY KEY, name text NOT NULL, kind text)`);
    await db.query(`COMMENT ON TABLE events IS 'events, old wording'; COMMENT ON COLUMN events.kind IS 'obsolete'`);
    await db.query(`INSERT INTO events (name) SELECT 'event ' || g FROM generate_series(1, 1000) g; ANALYZE events`);
    const migration = {
      operations: [
        { op: 'setComment', table: 'events', comment: "what happened, and when it's due" },
        { op: 'setComment', table: 'events', column: 'name', comment: 'the full name of the event' },
        { op: 'setComment', table: 'events', column: 'kind', comment: null },
        { op: 'addColumn', table: 'events', column: { name: 'venue', type: 'text', comment: 'where it happens' } },
        {
          op: 'createTable',
          table: 'venues',
          comment: 'places',
          columns: [
            { name: 'id', type: 'bigint', primaryKey: true, comment: 'venue id' },
            { name: 'name', type: 'text' },
          ],
        },
      ],
    };
    await withMigrations(db, { '0001_comments.json': migration }, async (runner) => {
      const { before, after } = await runLifecycle({
        db,
        runner,
        tables: ['events', 'venues'],
        oldApp: () => writer('old', 'name'),
        newApp: () => writer('new', 'name'),
      });
      expect(before.events!.comments).toEqual(['table: events, old wording', 'kind: obsolete']);
      expect(after.events!.comments).toEqual([
        "table: what happened, and when it's due",
        'name: the full name of the event',
        'venue: where it happens',
      ]);
      expect(after.venues!.comments).toEqual(['table: places', 'id: venue id']);
    });
  });
});

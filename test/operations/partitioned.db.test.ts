import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload, type AppQuery } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';
import { partitionsWithoutIndex, treeSnapshot } from '../helpers/partitions.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

/** Range by month, February sub-partitioned by hash, a default partition: every shape of tree. */
const EVENTS = `
  CREATE TABLE accounts (id bigint PRIMARY KEY);
  INSERT INTO accounts SELECT generate_series(1, 300);
  CREATE TABLE events (id bigserial, at date NOT NULL, account_id bigint NOT NULL, kind text NOT NULL, PRIMARY KEY (id, at))
    PARTITION BY RANGE (at);
  CREATE TABLE events_2024_01 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
  CREATE TABLE events_2024_02 PARTITION OF events FOR VALUES FROM ('2024-02-01') TO ('2024-03-01') PARTITION BY HASH (id);
  CREATE TABLE events_2024_02_h0 PARTITION OF events_2024_02 FOR VALUES WITH (MODULUS 2, REMAINDER 0);
  CREATE TABLE events_2024_02_h1 PARTITION OF events_2024_02 FOR VALUES WITH (MODULUS 2, REMAINDER 1);
  CREATE TABLE events_old PARTITION OF events FOR VALUES FROM ('2000-01-01') TO ('2024-01-01');
  INSERT INTO events (at, account_id, kind)
    SELECT '2023-12-01'::date + (g % 90), 1 + g % 200, 'kind ' || (g % 7) FROM generate_series(1, 6000) g;
  ANALYZE events;`;

/** Writes across every existing partition (December to February) and reads by kind. */
const events = (name: string): AppQuery[] => [
  (i) => ({
    text: `INSERT INTO events (at, account_id, kind) VALUES ('2023-12-01'::date + $1::int, $2, $3)`,
    values: [i % 90, 1 + (i % 200), `${name} ${i % 5}`],
  }),
  (i) => ({
    text: `UPDATE events SET kind = $1 WHERE id = (SELECT max(id) - (random() * 50)::int FROM events)`,
    values: [`${name} updated ${i % 3}`],
  }),
  () => ({ text: `SELECT count(*) FROM events WHERE kind = 'kind 3' AND at >= '2024-01-10'` }),
];

/** The application (or pg_partman) adds March while the migration runs. */
const MARCH = `CREATE TABLE IF NOT EXISTS events_2024_03 PARTITION OF events FOR VALUES FROM ('2024-03-01') TO ('2024-04-01')`;

describe('partitioned tables under old-app and new-app traffic', () => {
  it('createIndex (plain and unique) and addForeignKey partition by partition; a partition created mid-way gets both', async () => {
    await db.query(EVENTS);
    const before = await treeSnapshot(db, 'events');
    const migration = {
      operations: [
        { op: 'createIndex', table: 'events', name: 'events_kind_at', columns: ['kind', 'at DESC'] },
        {
          op: 'createIndex',
          table: 'events',
          name: 'events_account_key',
          columns: ['account_id', 'id', 'at'],
          unique: true,
        },
        {
          op: 'addForeignKey',
          table: 'events',
          name: 'events_account_fk',
          columns: ['account_id'],
          references: { table: 'accounts', columns: ['id'] },
        },
      ],
    };
    await withMigrations(db, { '0001_events_indexes.json': migration }, async (runner) => {
      let rolledBack: string[] = [];
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['events', 'accounts'],
        oldApp: () => startWorkload({ url: db.url, name: 'old', queries: events('old') }),
        newApp: () => startWorkload({ url: db.url, name: 'new', queries: events('new') }),
        check: async (point) => {
          if (point === 'rollback') {
            rolledBack = await treeSnapshot(db, 'events');
            return;
          }
          if (point === 'expand') {
            expect(await partitionsWithoutIndex(db, 'events', 'events_kind_at')).toEqual([]);
            expect(await partitionsWithoutIndex(db, 'events', 'events_account_key')).toEqual([]);
            // Checked on every partition already (NOT VALID is still enforced for new rows).
            await expect(
              db.query(`INSERT INTO events (at, account_id, kind) VALUES ('2024-02-10', 999999, 'orphan')`),
            ).rejects.toThrow(/events_account_fk/);
          }
          if (point === 'backfill') await db.query(MARCH);
          if (point !== 'expand')
            await db.query(`INSERT INTO events (at, account_id, kind) VALUES ('2024-03-05', 7, 'march')`);
        },
      });
      // Rollback removed every index and constraint zdm made, on every partition.
      expect(rolledBack).toEqual(before);
      expect(after.events!.indexes).toEqual([
        'CREATE INDEX events_kind_at ON ONLY public.events USING btree (kind, at DESC)',
        'CREATE UNIQUE INDEX events_account_key ON ONLY public.events USING btree (account_id, id, at)',
        'CREATE UNIQUE INDEX events_pkey ON ONLY public.events USING btree (id, at)',
      ]);
      expect(after.events!.constraints).toContain('events_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id)');
      for (const index of ['events_kind_at', 'events_account_key'])
        expect(await partitionsWithoutIndex(db, 'events', index)).toEqual([]);
      const fks = (await treeSnapshot(db, 'events')).filter((line) => line.includes('events_account_fk'));
      expect(fks).toEqual([
        'events constraint events_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id)',
        'events_2024_01 constraint events_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) inherited',
        'events_2024_02 constraint events_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) inherited',
        'events_2024_02_h0 constraint events_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) inherited',
        'events_2024_02_h1 constraint events_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) inherited',
        'events_2024_03 constraint events_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) inherited',
        'events_old constraint events_account_fk FOREIGN KEY (account_id) REFERENCES accounts(id) inherited',
      ]);
    });
  }, 240_000);
});

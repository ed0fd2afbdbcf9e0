import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

/** Both versions insert and update; the new one always gives a code, the old one sometimes not. */
const writes = (name: string, code: (i: number) => string | null) =>
  startWorkload({
    url: db.url,
    name,
    queries: [
      (i) => ({ text: 'INSERT INTO fruits (code) VALUES ($1)', values: [code(i)] }),
      (i) => ({ text: 'UPDATE fruits SET ripe = NOT ripe WHERE id = $1', values: [(i % 200) + 1] }),
      (i) => ({ text: 'UPDATE baskets SET items = items + 1 WHERE id = $1', values: [(i % 50) + 1] }),
    ],
  });

const identities = () =>
  db.query<{ relname: string; identity: string; index: string | null }>(
    `SELECT c.relname, c.relreplident::text AS identity,
              (SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident) AS index
         FROM pg_class c WHERE c.relname IN ('fruits', 'baskets') ORDER BY c.relname`,
  );

describe('setReplicaIdentity lifecycle under old-app and new-app traffic', () => {
  it('the identity changes at contract, after the NOT NULL its index needs; nothing before, nothing to roll back', async () => {
    await db.query(`CREATE TABLE fruits (id bigserial PRIMARY KEY, code text, ripe boolean NOT NULL DEFAULT false);
      CREATE UNIQUE INDEX fruits_code_key ON fruits (code);
      INSERT INTO fruits (code) SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE 'f' || g END FROM generate_series(1, 200) g;
      CREATE TABLE baskets (id bigserial PRIMARY KEY, items int NOT NULL DEFAULT 0);
      INSERT INTO baskets (items) SELECT 0 FROM generate_series(1, 50);
      ANALYZE fruits, baskets`);
    const before = await identities();
    const migration = {
      operations: [
        { op: 'setNotNull', table: 'fruits', column: 'code', up: "'fruit-' || id" },
        { op: 'setReplicaIdentity', table: 'fruits', identity: 'index', index: 'fruits_code_key' },
        { op: 'setReplicaIdentity', table: 'baskets', identity: 'full' },
      ],
    };
    await withMigrations(db, { '0001_replica_identity.json': migration }, async (runner) => {
      await runLifecycle({
        db,
        runner,
        tables: ['fruits', 'baskets'],
        oldApp: () => writes('old', (i) => (i % 3 === 0 ? null : `old-${i}-${Math.random()}`)),
        newApp: () => writes('new', (i) => `new-${i}-${Math.random()}`),
        check: async (point) => {
          if (point !== 'contract') expect(await identities(), point).toEqual(before);
        },
      });
    });
    expect(before).toEqual([
      { relname: 'baskets', identity: 'd', index: null },
      { relname: 'fruits', identity: 'd', index: null },
    ]);
    expect(await identities()).toEqual([
      { relname: 'baskets', identity: 'f', index: null },
      { relname: 'fruits', identity: 'i', index: 'fruits_code_key' },
    ]);
  });
});

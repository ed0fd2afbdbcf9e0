import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startApp } from '../helpers/apps.js';
import { expectRollbackFrom, runLifecycle, withMigrations } from '../helpers/lifecycle.js';
import { withoutNotNull } from '../helpers/schema.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

async function createTable(name: string) {
  await db.query(`CREATE SEQUENCE ${name}_seq`);
  await db.query(`CREATE TABLE ${name} (id bigint DEFAULT nextval('${name}_seq'), name text, note text)`);
  await db.query(
    `INSERT INTO ${name} (name, note) SELECT 'row ' || g, 'note ' || g FROM generate_series(1, 4000) g; ANALYZE ${name}`,
  );
}

describe('addPrimaryKey lifecycle under old-app and new-app traffic', () => {
  it('on a nullable column: NOT NULL through validated checks, unique index CONCURRENTLY, PRIMARY KEY USING INDEX at switch', async () => {
    await createTable('audit_events');
    await withMigrations(
      db,
      {
        '0001_audit_events_pk.json': { operations: [{ op: 'addPrimaryKey', table: 'audit_events', columns: ['id'] }] },
      },
      async (runner) => {
        const { after } = await runLifecycle({
          db,
          runner,
          tables: ['audit_events'],
          oldApp: () => startApp({ url: db.url, name: 'old', table: 'audit_events', column: 'note' }),
          newApp: () => startApp({ url: db.url, name: 'new', table: 'audit_events', column: 'note' }),
          check: async (point) => {
            if (point === 'rollback') return;
            // From expand on, the key is enforced for every writer.
            await expect(db.query(`INSERT INTO audit_events (id, name) VALUES (NULL, 'no id')`)).rejects.toThrow();
            await expect(db.query(`INSERT INTO audit_events (id, name) VALUES (1, 'dup')`)).rejects.toThrow(
              /audit_events_pkey/,
            );
          },
        });
        const table = after.audit_events!;
        expect(table.columns[0]).toBe(`id bigint not null default nextval('audit_events_seq'::regclass) collation 0`);
        expect(withoutNotNull(table.constraints)).toEqual(['audit_events_pkey PRIMARY KEY (id)']);
        expect(table.indexes).toEqual([
          'CREATE UNIQUE INDEX audit_events_pkey ON public.audit_events USING btree (id)',
        ]);
      },
    );
  });

  it('rolls back after switch (primary key and NOT NULL removed) to exactly the table before', async () => {
    await createTable('audit_archive');
    await withMigrations(
      db,
      {
        '0002_audit_archive_pk.json': {
          operations: [{ op: 'addPrimaryKey', table: 'audit_archive', columns: ['id'], name: 'audit_archive_id_pk' }],
        },
      },
      async (runner) => {
        await expectRollbackFrom({ db, runner, tables: ['audit_archive'] }, 'switch');
      },
    );
  });
});

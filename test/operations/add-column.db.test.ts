import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startApp, startWorkload } from '../helpers/apps.js';
import { count, runLifecycle, withMigrations } from '../helpers/lifecycle.js';
import { testRunner } from '../helpers/runner.js';
import { withoutNotNull } from '../helpers/schema.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const filenode = async (table: string) =>
  (await db.query<{ f: string }>(`SELECT pg_relation_filenode($1::regclass)::text AS f`, [table]))[0]!.f;

describe('addColumn lifecycle under old-app and new-app traffic', () => {
  it('subscriptions.renewal_algorithm VARCHAR(50) DEFAULT legacy: metadata only, the running code keeps inserting', async () => {
    const example = new URL('../../migrations-examples/subscriptions-renewal-algorithm/', import.meta.url).pathname;
    await db.query(await readFile(`${example}setup.sql`, 'utf8'));
    const runner = testRunner(db.url, example);
    const file = await filenode('subscriptions');
    try {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['subscriptions'],
        oldApp: () =>
          startApp({
            url: db.url,
            name: 'old',
            table: 'subscriptions',
            column: 'plan',
            value: (i) => (i % 2 ? 'pro' : 'basic'),
          }),
        newApp: () =>
          startApp({
            url: db.url,
            name: 'new',
            table: 'subscriptions',
            column: 'renewal_algorithm',
            value: (i) => `v2-${i % 7}`,
          }),
        check: async (point) => {
          if (point === 'rollback') return;
          // Every row, old or new, existing or inserted by either version, has a value.
          expect(await count(db, `SELECT count(*) AS n FROM subscriptions WHERE renewal_algorithm IS NULL`)).toBe(0);
          expect(
            await count(
              db,
              `SELECT count(*) AS n FROM subscriptions WHERE id <= 2000 AND renewal_algorithm NOT IN ('legacy') AND renewal_algorithm NOT LIKE 'v2-%'`,
            ),
          ).toBe(0);
        },
      });
      expect(after.subscriptions!.columns).toContain(
        `renewal_algorithm character varying(50) default 'legacy'::character varying collation 100`,
      );
      // No rewrite: the table's file never changed.
      expect(await filenode('subscriptions')).toBe(file);
      expect(
        await count(
          db,
          `SELECT count(*) AS n FROM subscriptions WHERE name LIKE 'old%' AND renewal_algorithm = 'legacy'`,
        ),
      ).toBeGreaterThan(0);
    } finally {
      await runner.close();
    }
  });

  it('uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE: backfilled per row, no rewrite, NOT NULL via a validated check', async () => {
    await db.query(`CREATE TABLE devices (id bigserial PRIMARY KEY, name text NOT NULL, label text)`);
    await db.query(
      `INSERT INTO devices (name, label) SELECT 'device ' || g, 'label ' || g FROM generate_series(1, 3000) g; ANALYZE devices`,
    );
    const file = await filenode('devices');
    const migration = {
      operations: [
        {
          op: 'addColumn',
          table: 'devices',
          column: { name: 'token', type: 'uuid', nullable: false, default: 'gen_random_uuid()', unique: true },
        },
      ],
    };
    await withMigrations(db, { '0001_add_device_token.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['devices'],
        oldApp: () => startApp({ url: db.url, name: 'old', table: 'devices', column: 'label' }),
        newApp: () =>
          startWorkload({
            url: db.url,
            name: 'new',
            queries: [
              (i) => ({
                text: `INSERT INTO devices (name, label, token) VALUES ($1, $2, gen_random_uuid())`,
                values: [`new ${i}`, `label ${i}`],
              }),
              (i) => ({
                text: `UPDATE devices SET label = $1, token = gen_random_uuid() WHERE id = (SELECT max(id) - (random() * 50)::int FROM devices)`,
                values: [`new label ${i}`],
              }),
              () => ({ text: `SELECT token FROM devices WHERE id = (SELECT max(id) FROM devices)` }),
            ],
          }),
        check: async (point) => {
          if (point === 'rollback' || point === 'expand') return;
          expect(await count(db, `SELECT count(*) AS n FROM devices WHERE token IS NULL`)).toBe(0);
          expect(await count(db, `SELECT count(*) - count(DISTINCT token) AS n FROM devices`)).toBe(0);
        },
      });
      expect(after.devices!.columns).toContain(`token uuid not null default gen_random_uuid() collation 0`);
      expect(withoutNotNull(after.devices!.constraints)).toEqual([
        'devices_pkey PRIMARY KEY (id)',
        'devices_token_key UNIQUE (token)',
      ]);
      expect(after.devices!.indexes).toContain(
        'CREATE UNIQUE INDEX devices_token_key ON public.devices USING btree (token)',
      );
      expect(after.devices!.triggers).toEqual([]);
      expect(await filenode('devices')).toBe(file);
    });
  });

  it('several columns on one table (NOT NULL from `up` with CHECK, FK from `up`, nullable): one backfill pass', async () => {
    await db.query(`CREATE TABLE buyers (id bigserial PRIMARY KEY, name text NOT NULL)`);
    await db.query(`INSERT INTO buyers (name) SELECT 'buyer ' || g FROM generate_series(1, 100) g`);
    await db.query(
      `CREATE TABLE purchases (id bigserial PRIMARY KEY, name text NOT NULL, user_id bigint, express boolean NOT NULL DEFAULT false, touched int NOT NULL DEFAULT 0)`,
    );
    await db.query(
      `INSERT INTO purchases (name, user_id, express) SELECT 'purchase ' || g, 1 + g % 100, g % 4 = 0 FROM generate_series(1, 4000) g; ANALYZE purchases`,
    );
    const migration = {
      operations: [
        {
          op: 'addColumn',
          table: 'purchases',
          column: { name: 'kind', type: 'text', nullable: false, check: `kind <> ''` },
          up: `CASE WHEN express THEN 'express' ELSE 'standard' END`,
        },
        {
          op: 'addColumn',
          table: 'purchases',
          column: { name: 'buyer_id', type: 'bigint', references: { table: 'buyers', onDelete: 'set null' } },
          up: 'user_id',
        },
        { op: 'addColumn', table: 'purchases', column: { name: 'note', type: 'text' } },
      ],
    };
    await withMigrations(db, { '0002_purchase_columns.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['purchases', 'buyers'],
        oldApp: () =>
          startWorkload({
            url: db.url,
            name: 'old',
            queries: [
              (i) => ({
                text: `INSERT INTO purchases (name, user_id, express) VALUES ($1, $2, $3)`,
                values: [`old ${i}`, 1 + (i % 100), i % 2 === 0],
              }),
              () => ({
                text: `UPDATE purchases SET touched = touched + 1 WHERE id = (SELECT max(id) - (random() * 3000)::int FROM purchases)`,
              }),
              () => ({ text: `SELECT name, express FROM purchases WHERE id = (SELECT max(id) FROM purchases)` }),
            ],
          }),
        newApp: () =>
          startWorkload({
            url: db.url,
            name: 'new',
            queries: [
              (i) => ({
                text: `INSERT INTO purchases (name, user_id, express, kind, buyer_id, note) VALUES ($1, $2, false, 'gift', $2, 'hi')`,
                values: [`new ${i}`, 1 + (i % 100)],
              }),
              () => ({
                text: `UPDATE purchases SET note = 'updated' WHERE id = (SELECT max(id) - (random() * 50)::int FROM purchases)`,
              }),
              () => ({ text: `SELECT kind, buyer_id, note FROM purchases WHERE id = (SELECT max(id) FROM purchases)` }),
            ],
          }),
        check: async (point) => {
          if (point === 'rollback') return;
          // Until contract, a row written the old version's way gets kind and buyer_id from the trigger.
          if (point !== 'contract') {
            const [probe] = await db.query(
              `INSERT INTO purchases (name, user_id, express) VALUES ('probe', 7, true) RETURNING kind, buyer_id::int AS buyer_id, note`,
            );
            expect(probe).toEqual({ kind: 'express', buyer_id: 7, note: null });
          }
          if (point === 'expand') return;
          // After the backfill, every row: existing ones from the backfill, new ones from either version.
          expect(
            await count(
              db,
              `SELECT count(*) AS n FROM purchases WHERE kind IS NULL OR buyer_id IS DISTINCT FROM user_id`,
            ),
          ).toBe(0);
          expect(
            await count(
              db,
              `SELECT count(*) AS n FROM purchases WHERE name NOT LIKE 'new %' AND kind IS DISTINCT FROM CASE WHEN express THEN 'express' ELSE 'standard' END`,
            ),
          ).toBe(0);
          // (rows the new version wrote before the rollback lost their values with the columns)
          expect(
            await count(db, `SELECT count(*) AS n FROM purchases WHERE name LIKE 'new %' AND kind = 'gift'`),
          ).toBeGreaterThan(0);
        },
      });
      const backfills = runner.events.flatMap((e) =>
        e.type === 'step-start' && e.stepId.startsWith('backfill:') ? [e.stepId] : [],
      );
      expect(backfills).toEqual(['backfill:public.purchases:backfill:1']);
      const purchases = after.purchases!;
      expect(purchases.columns.slice(5)).toEqual([
        'kind text not null collation 100',
        'buyer_id bigint collation 0',
        'note text collation 100',
      ]);
      expect(withoutNotNull(purchases.constraints)).toEqual([
        `purchases_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES buyers(id) ON DELETE SET NULL`,
        `purchases_kind_check CHECK ((kind <> ''::text))`,
        'purchases_pkey PRIMARY KEY (id)',
      ]);
      expect(purchases.triggers).toEqual([]);
      expect(purchases.functions).toEqual([]);
    });
  });

  it('reads function volatility from pg_proc, which decides metadata-only default or backfill', async () => {
    const { readCatalog } = await import('../../src/db/catalog.js');
    await db.query(`CREATE FUNCTION zdm_test_label() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'x' $$`);
    const catalog = await readCatalog(db.pool, {
      tables: [],
      functions: [
        'now',
        'pg_catalog.now',
        'gen_random_uuid',
        'lower',
        'zdm_test_label',
        'public.zdm_test_label',
        'no_such_function',
      ],
    });
    expect(Object.fromEntries(catalog.functions!)).toEqual({
      now: 's',
      'pg_catalog.now': 's',
      gen_random_uuid: 'v',
      lower: 'i',
      zdm_test_label: 'i',
      'public.zdm_test_label': 'i',
    });
  });

  it('refuses impossible requests at plan time, naming the file, the field and the object, with nothing executed', async () => {
    await db.query(`CREATE TABLE gadgets (id bigserial PRIMARY KEY, name text)`);
    const migration = {
      operations: [
        { op: 'addColumn', table: 'gadgets', column: { name: 'name', type: 'text' } },
        { op: 'addColumn', table: 'gadgets', column: { name: 'serial_no', type: 'text', nullable: false } },
        { op: 'addColumn', table: 'gadgets', column: { name: 'seq', type: 'bigserial' } },
        { op: 'addColumn', table: 'gadgets', column: { name: 'price', type: 'numeric', check: 'cost > 0' } },
        { op: 'addColumn', table: 'nope', column: { name: 'x', type: 'text' } },
      ],
    };
    await withMigrations(db, { '0003_bad_gadgets.json': migration }, async (runner, dir) => {
      const { advance } = await import('../../src/runner/advance.js');
      const error = await advance(runner).catch((e: Error) => e);
      const message = String((error as Error).message);
      expect(message).toContain(
        `${dir}/0003_bad_gadgets.json: operations[0].column.name: column name already exists on table public.gadgets`,
      );
      expect(message).toContain(`operations[1].column.nullable: a NOT NULL column needs a value`);
      expect(message).toContain(`operations[2].column.type: "bigserial" gives every existing row a sequence value`);
      expect(message).toContain(
        `operations[3].column.check: "cost > 0" uses column cost, which table public.gadgets does not have`,
      );
      expect(message).toContain(`operations[4].table: table nope does not exist`);
      expect(
        (await db.query(`SELECT attname FROM pg_attribute WHERE attrelid = 'gadgets'::regclass AND attnum > 0`)).map(
          (r) => r.attname,
        ),
      ).toEqual(['id', 'name']);
    });
  });
});

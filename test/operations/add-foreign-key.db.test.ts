import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const invoices = (name: string) =>
  startWorkload({
    url: db.url,
    name,
    queries: [
      (i) => ({
        text: `INSERT INTO invoices (name, customer_id) VALUES ($1, $2)`,
        values: [`${name} ${i}`, 1 + (i % 200)],
      }),
      (i) => ({
        text: `UPDATE invoices SET customer_id = $1 WHERE id = (SELECT max(id) - (random() * 50)::int FROM invoices)`,
        values: [1 + (i % 200)],
      }),
      (i) => ({ text: `INSERT INTO customers (name) VALUES ($1)`, values: [`${name} customer ${i}`] }),
      () => ({
        text: `SELECT i.name, c.name FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE i.id = (SELECT max(id) FROM invoices)`,
      }),
    ],
  });

describe('addForeignKey lifecycle under old-app and new-app traffic', () => {
  it('NOT VALID at expand (both tables briefly), VALIDATE at switch', async () => {
    await db.query(`CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL)`);
    await db.query(`INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 200) g`);
    await db.query(`CREATE TABLE invoices (id bigserial PRIMARY KEY, name text NOT NULL, customer_id bigint)`);
    await db.query(`CREATE INDEX invoices_customer_id ON invoices (customer_id)`);
    await db.query(
      `INSERT INTO invoices (name, customer_id) SELECT 'invoice ' || g, 1 + g % 200 FROM generate_series(1, 4000) g; ANALYZE invoices`,
    );
    const migration = {
      operations: [
        {
          op: 'addForeignKey',
          table: 'invoices',
          name: 'invoices_customer_fk',
          columns: ['customer_id'],
          references: { table: 'customers', columns: ['id'] },
          onDelete: 'cascade',
        },
      ],
    };
    await withMigrations(db, { '0001_invoice_customer_fk.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['invoices', 'customers'],
        oldApp: () => invoices('old'),
        newApp: () => invoices('new'),
        check: async (point) => {
          const rows = await db.query<{ validated: boolean }>(
            `SELECT convalidated AS validated FROM pg_constraint WHERE conname = 'invoices_customer_fk'`,
          );
          expect(rows).toEqual(point === 'rollback' ? [] : [{ validated: point === 'switch' || point === 'contract' }]);
          if (point !== 'rollback')
            await expect(db.query(`INSERT INTO invoices (name, customer_id) VALUES ('orphan', -1)`)).rejects.toThrow(
              /invoices_customer_fk/,
            );
        },
      });
      expect(after.invoices!.constraints).toContain(
        'invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers(id) ON DELETE CASCADE',
      );
    });
  });

  it('orphan rows stop the switch with a sample', async () => {
    await db.query(`CREATE TABLE shipments (id bigserial PRIMARY KEY, customer_id bigint)`);
    await db.query(`INSERT INTO shipments (customer_id) VALUES (1), (2), (999999), (NULL)`);
    const migration = {
      operations: [
        {
          op: 'addForeignKey',
          table: 'shipments',
          name: 'shipments_customer_fk',
          columns: ['customer_id'],
          references: { table: 'customers', columns: ['id'] },
        },
      ],
    };
    await withMigrations(db, { '0002_shipment_customer_fk.json': migration }, async (runner) => {
      const { advance } = await import('../../src/runner/advance.js');
      await advance(runner, { until: 'backfill' });
      const error = (await advance(runner).catch((e: Error) => e)) as Error;
      expect(error.message).toContain(
        'rows of public.shipments whose (customer_id) has no row in public.customers; constraint shipments_customer_fk cannot be validated; sample (up to 10):\n  {"id":3,"customer_id":999999}\n',
      );
      // Left active, it would block the next case's migration (one active migration per schema).
      const { rollback } = await import('../../src/runner/rollback.js');
      await rollback(runner);
    });
  });

  it('MATCH FULL (a partly NULL key is an orphan, sampled at switch), DEFERRABLE INITIALLY DEFERRED: as written in pg_constraint', async () => {
    await db.query(`CREATE TABLE pairs (a bigint, b bigint, PRIMARY KEY (a, b)); INSERT INTO pairs VALUES (1, 1)`);
    await db.query(`CREATE TABLE parcels (id bigserial PRIMARY KEY, a bigint, b bigint)`);
    await db.query(`INSERT INTO parcels (a, b) VALUES (1, 1), (NULL, NULL), (NULL, 2)`);
    const migration = {
      operations: [
        {
          op: 'addForeignKey',
          table: 'parcels',
          name: 'parcels_pair_fk',
          columns: ['a', 'b'],
          references: { table: 'pairs', columns: ['a', 'b'] },
          match: 'full',
          deferrable: true,
          initiallyDeferred: true,
        },
      ],
    };
    await withMigrations(db, { '0003_parcel_pair_fk.json': migration }, async (runner) => {
      const { advance } = await import('../../src/runner/advance.js');
      await advance(runner, { until: 'backfill' });
      const error = (await advance(runner).catch((e: Error) => e)) as Error;
      expect(error.message).toContain('sample (up to 10):\n  {"id":3,"a":null,"b":2}\n');
      await db.query(`UPDATE parcels SET b = NULL WHERE id = 3`);
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ kind: 'advanced', complete: true });
    });
    expect(
      await db.query(
        `SELECT confmatchtype::text AS match, condeferrable AS deferrable, condeferred AS deferred, convalidated AS validated FROM pg_constraint WHERE conname = 'parcels_pair_fk'`,
      ),
    ).toEqual([{ match: 'f', deferrable: true, deferred: true, validated: true }]);
  });
});

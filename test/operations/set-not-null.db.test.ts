import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload, type AppQuery } from '../helpers/apps.js';
import { count, runLifecycle, withMigrations } from '../helpers/lifecycle.js';
import { testRunner } from '../helpers/runner.js';
import { withoutNotNull } from '../helpers/schema.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const recentOrder = `(SELECT max(id) - (random() * 200)::int FROM orders)`;
/** The version that does not know shipping_method (and, updating, even clears it). */
const unaware: AppQuery[] = [
  (i) => ({ text: `INSERT INTO orders (name, customer, total) VALUES ($1, 'walk-in', 10)`, values: [`old ${i}`] }),
  () => ({ text: `UPDATE orders SET total = total + 1 WHERE id = ${recentOrder}` }),
  () => ({ text: `SELECT name, total FROM orders WHERE id = (SELECT max(id) FROM orders)` }),
];
/** The version that writes shipping_method. */
const aware: AppQuery[] = [
  (i) => ({
    text: `INSERT INTO orders (name, customer, total, shipping_method) VALUES ($1, 'web', 20, $2)`,
    values: [`new ${i}`, i % 2 ? 'express' : 'pickup'],
  }),
  () => ({ text: `UPDATE orders SET shipping_method = 'express' WHERE id = ${recentOrder}` }),
  () => ({ text: `SELECT shipping_method FROM orders WHERE id = (SELECT max(id) FROM orders)` }),
];

describe('setNotNull lifecycle under old-app and new-app traffic', () => {
  it('orders.shipping_method: added, backfilled to standard, then NOT NULL with a default', async () => {
    const example = new URL('../../migrations-examples/orders-shipping-method/', import.meta.url).pathname;
    await db.query(await readFile(`${example}setup.sql`, 'utf8'));
    const runner = testRunner(db.url, example);
    try {
      // 0001: the nullable column; the old version keeps inserting without it.
      await runLifecycle({
        db,
        runner,
        tables: ['orders'],
        oldApp: () => startWorkload({ url: db.url, name: 'old', queries: unaware }),
        newApp: () => startWorkload({ url: db.url, name: 'new', queries: aware }),
      });
      expect(await count(db, `SELECT count(*) AS n FROM orders WHERE shipping_method IS NULL`)).toBeGreaterThan(3000);

      // 0002: default + NOT NULL. The previous version (which leaves it NULL, or clears it) keeps working.
      const clearing: AppQuery[] = [
        ...unaware,
        () => ({ text: `UPDATE orders SET shipping_method = NULL WHERE id = ${recentOrder}` }),
      ];
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['orders'],
        oldApp: () => startWorkload({ url: db.url, name: 'old', queries: clearing }),
        newApp: () => startWorkload({ url: db.url, name: 'new', queries: aware }),
        check: async (point) => {
          if (point === 'rollback' || point === 'expand') return;
          expect(await count(db, `SELECT count(*) AS n FROM orders WHERE shipping_method IS NULL`)).toBe(0);
          expect(
            await count(db, `SELECT count(*) AS n FROM orders WHERE id <= 3000 AND shipping_method = 'standard'`),
          ).toBeGreaterThan(2000);
        },
      });
      const orders = after.orders!;
      expect(orders.columns).toContain(
        `shipping_method character varying(20) not null default 'standard'::character varying collation 100`,
      );
      expect(withoutNotNull(orders.constraints)).toEqual(['orders_pkey PRIMARY KEY (id)']);
      expect([...orders.triggers, ...orders.functions]).toEqual([]);
      expect(
        await count(db, `SELECT count(*) AS n FROM orders WHERE name LIKE 'old %' AND shipping_method = 'standard'`),
      ).toBeGreaterThan(0);
    } finally {
      await runner.close();
    }
  });

  it('without `up`, rows still NULL stop the switch with a sample; after they are fixed, advance finishes', async () => {
    await db.query(`CREATE TABLE tickets (id bigserial PRIMARY KEY, title text)`);
    await db.query(
      `INSERT INTO tickets (title) SELECT CASE WHEN g % 1000 = 0 THEN NULL ELSE 'ticket ' || g END FROM generate_series(1, 3000) g`,
    );
    await withMigrations(
      db,
      { '0003_tickets_title_not_null.json': { operations: [{ op: 'setNotNull', table: 'tickets', column: 'title' }] } },
      async (runner) => {
        const { advance } = await import('../../src/runner/advance.js');
        expect(await advance(runner, { until: 'backfill' })).toMatchObject({
          kind: 'advanced',
          ran: ['expand', 'backfill'],
        });
        const error = (await advance(runner).catch((e: Error) => e)) as Error;
        expect(error.message).toContain(
          'rows of public.tickets where title is NULL; give `up` (a value for them) or update them; sample (up to 10):',
        );
        expect(error.message).toContain('{"id":1000,"title":null}');
        await db.query(`UPDATE tickets SET title = 'untitled' WHERE title IS NULL`);
        expect(await advance(runner, { until: 'contract' })).toMatchObject({
          kind: 'advanced',
          ran: ['switch', 'contract'],
          complete: true,
        });
        expect(
          (
            await db.query(
              `SELECT attnotnull FROM pg_attribute WHERE attrelid = 'tickets'::regclass AND attname = 'title'`,
            )
          )[0],
        ).toEqual({ attnotnull: true });
      },
    );
  });
});

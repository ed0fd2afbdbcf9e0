import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
});
afterAll(async () => db?.drop());

const payments = (name: string) =>
  startWorkload({
    url: db.url,
    name,
    queries: [
      (i) => ({ text: `INSERT INTO payments (name, amount) VALUES ($1, $2)`, values: [`${name} ${i}`, 1 + (i % 100)] }),
      () => ({
        text: `UPDATE payments SET amount = amount + 1 WHERE id = (SELECT max(id) - (random() * 50)::int FROM payments)`,
      }),
      () => ({ text: `SELECT amount FROM payments WHERE id = (SELECT max(id) FROM payments)` }),
    ],
  });

describe('addCheck lifecycle under old-app and new-app traffic', () => {
  it('NOT VALID at expand, VALIDATE at switch', async () => {
    await db.query(
      `CREATE TABLE payments (id bigserial PRIMARY KEY, name text NOT NULL, amount numeric(12, 2) NOT NULL)`,
    );
    await db.query(
      `INSERT INTO payments (name, amount) SELECT 'payment ' || g, 1 + g % 50 FROM generate_series(1, 3000) g; ANALYZE payments`,
    );
    const migration = {
      operations: [{ op: 'addCheck', table: 'payments', name: 'payments_amount_positive', expression: 'amount > 0' }],
    };
    await withMigrations(db, { '0001_amount_positive.json': migration }, async (runner) => {
      const { after } = await runLifecycle({
        db,
        runner,
        tables: ['payments'],
        oldApp: () => payments('old'),
        newApp: () => payments('new'),
        check: async (point) => {
          const rows = await db.query<{ validated: boolean }>(
            `SELECT convalidated AS validated FROM pg_constraint WHERE conname = 'payments_amount_positive'`,
          );
          const expected = point === 'rollback' ? [] : [{ validated: point === 'switch' || point === 'contract' }];
          expect(rows).toEqual(expected);
          if (point !== 'rollback')
            await expect(db.query(`INSERT INTO payments (name, amount) VALUES ('bad', -1)`)).rejects.toThrow(
              /payments_amount_positive/,
            );
        },
      });
      expect(after.payments!.constraints).toContain('payments_amount_positive CHECK ((amount > (0)::numeric))');
    });
  });

  it('existing violations stop the switch with a sample of the rows; after they are fixed, advance finishes', async () => {
    await db.query(`CREATE TABLE refunds (id bigserial PRIMARY KEY, amount numeric NOT NULL)`);
    await db.query(
      `INSERT INTO refunds (amount) SELECT CASE WHEN g = 77 THEN -5 ELSE g END FROM generate_series(1, 500) g`,
    );
    const migration = {
      operations: [{ op: 'addCheck', table: 'refunds', name: 'refunds_amount_positive', expression: 'amount > 0' }],
    };
    await withMigrations(db, { '0002_refund_positive.json': migration }, async (runner) => {
      expect(await advance(runner, { until: 'backfill' })).toMatchObject({ kind: 'advanced' });
      const error = (await advance(runner).catch((e: Error) => e)) as Error;
      expect(error.message).toContain(
        'rows of public.refunds that violate CHECK refunds_amount_positive (amount > 0); fix them, then run zdm advance again; sample (up to 10):\n  {"id":77,"amount":"-5"}',
      );
      await db.query(`UPDATE refunds SET amount = 5 WHERE id = 77`);
      expect(await advance(runner, { until: 'contract' })).toMatchObject({ kind: 'advanced', complete: true });
    });
  });
});

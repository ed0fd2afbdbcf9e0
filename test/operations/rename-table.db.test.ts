import type pg from 'pg';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { advance } from '../../src/runner/advance.js';
import { rollback } from '../../src/runner/rollback.js';
import { pause, useLifecycleDatabase } from '../helpers/lifecycle.js';
import { tableSnapshot } from '../helpers/schema.js';
import { expectClean, stopAfterWork, startWorkload } from '../helpers/workload.js';

const life = useLifecycleDatabase(import.meta.url);

/** An application version using `table`: INSERT ... RETURNING, ON CONFLICT, UPDATE, DELETE, SELECT. */
function app(name: string, table: string) {
  const tag = `${name}-${randomBytes(3).toString('hex')}`;
  return startWorkload({
    url: life.db.url,
    name,
    step: async (c: pg.Client, i, worker) => {
      switch (i % 5) {
        case 0: {
          const { rows } = await c.query<{ id: string; qty: number }>(
            `INSERT INTO ${table} (sku) VALUES ($1) RETURNING id, qty`,
            [`${tag}-${i}`],
          );
          if (!rows[0]?.id || rows[0].qty !== 1) throw new Error(`INSERT ... RETURNING gave ${JSON.stringify(rows)}`);
          return;
        }
        case 1:
          return c.query(
            `INSERT INTO ${table} (sku, qty) VALUES ($1, 2) ON CONFLICT (sku) DO UPDATE SET qty = ${table}.qty + 1`,
            [`${tag}-upsert-${worker}`],
          );
        case 2:
          return c.query(`UPDATE ${table} SET qty = qty + 1 WHERE id = (SELECT max(id) FROM ${table})`);
        case 3:
          return c.query(`DELETE FROM ${table} WHERE id = (SELECT min(id) FROM ${table})`);
        default:
          return c.query(`SELECT id, sku, qty FROM ${table} ORDER BY id DESC LIMIT 5`);
      }
    },
  });
}

describe('renameTable orders -> purchases', () => {
  it('keeps the old name working (through an updatable view) until contract, under old-app and new-app traffic', async () => {
    const role = `zdm_reader_${randomBytes(3).toString('hex')}`;
    const runner = await life.scenario(
      'rename_orders',
      `CREATE ROLE ${role};
       CREATE TABLE orders (id bigserial PRIMARY KEY, sku text NOT NULL UNIQUE, qty int NOT NULL DEFAULT 1, created_at timestamptz DEFAULT now());
       GRANT SELECT ON orders TO ${role};
       INSERT INTO orders (sku) SELECT 'sku' || g FROM generate_series(1, 1000) g;`,
      [{ op: 'renameTable', from: 'orders', to: 'purchases' }],
    );
    try {
      const lockTimeout = runner.settings.lockTimeoutMs;
      const before = await tableSnapshot(life.db.pool, 'orders');
      const oldApp = app('old', 'orders');

      expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
      let newApp = app('new', 'purchases');
      await pause(600);
      expect((await tableSnapshot(life.db.pool, 'orders')).relation).toEqual(['v']);
      expect(
        (
          await life.db.query<{ ok: boolean }>(`SELECT has_table_privilege('${role}', 'public.orders', 'SELECT') AS ok`)
        )[0]!.ok,
      ).toBe(true);
      expectClean(await stopAfterWork(newApp), lockTimeout);

      await rollback(runner);
      expect(await tableSnapshot(life.db.pool, 'orders')).toEqual(before);
      expect((await tableSnapshot(life.db.pool, 'purchases')).relation).toEqual([]);

      expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['expand'] });
      newApp = app('new', 'purchases');
      expect(await advance(runner, { until: 'switch' })).toMatchObject({
        kind: 'advanced',
        ran: ['backfill', 'switch'],
      });
      await pause();
      expectClean(await stopAfterWork(oldApp), lockTimeout);
      expect(await advance(runner)).toMatchObject({ kind: 'advanced', ran: ['contract'], complete: true });
      await pause();
      expectClean(await stopAfterWork(newApp), lockTimeout);

      // The table ends as ALTER TABLE ... RENAME leaves it: same columns, indexes and constraint names.
      const after = await tableSnapshot(life.db.pool, 'purchases');
      expect(after).toEqual({
        ...before,
        indexes: before.indexes.map((ix) => ix.replace(' ON public.orders ', ' ON public.purchases ')),
      });
      expect((await tableSnapshot(life.db.pool, 'orders')).relation).toEqual([]);
    } finally {
      await life.db.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`).catch(() => undefined);
    }
  });
});

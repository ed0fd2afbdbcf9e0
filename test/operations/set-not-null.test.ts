import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('setNotNull plans (exact SQL)', () => {
  it('CHECK NOT VALID and a fill trigger at expand, backfill, VALIDATE at switch, SET NOT NULL at contract', () => {
    const plan = planOps(
      [{ op: 'setNotNull', table: 'orders', column: 'shipping_method', up: `coalesce(shipping_method, 'standard')` }],
      fixture,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'set_not_null:public.orders.shipping_method:expand:1',
        sql: [
          `CREATE OR REPLACE FUNCTION public.zdm_fill_orders_shipping_method() RETURNS trigger LANGUAGE plpgsql AS $zdm$\nBEGIN\n  NEW.shipping_method := COALESCE(new.shipping_method, 'standard');\n  RETURN NEW;\nEND\n$zdm$`,
          'CREATE TRIGGER zdm_fill_orders_shipping_method BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW WHEN (NEW.shipping_method IS NULL) EXECUTE FUNCTION public.zdm_fill_orders_shipping_method()',
          'ALTER TABLE public.orders ADD CONSTRAINT orders_shipping_method_zdm_not_null CHECK (shipping_method IS NOT NULL) NOT VALID',
        ],
        undo: [
          'ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_shipping_method_zdm_not_null',
          'DROP TRIGGER IF EXISTS zdm_fill_orders_shipping_method ON public.orders',
          'DROP FUNCTION IF EXISTS public.zdm_fill_orders_shipping_method()',
        ],
      },
      {
        id: 'backfill:public.orders:backfill:1',
        sql: [
          '-- per batch, in its own transaction with zdm.backfill = on and synchronous_commit = off:',
          'SELECT id::text AS k0 FROM public.orders WHERE id > $1::bigint ORDER BY id OFFSET $2 LIMIT 1',
          `UPDATE public.orders SET shipping_method = COALESCE(shipping_method, (coalesce(shipping_method, 'standard'))) WHERE id > $1::bigint AND id <= $2::bigint AND (shipping_method IS NULL)`,
        ],
      },
      {
        id: 'set_not_null:public.orders.shipping_method:switch:1',
        sql: ['SELECT id, shipping_method FROM public.orders WHERE shipping_method IS NULL LIMIT 10'],
      },
      {
        id: 'set_not_null:public.orders.shipping_method:switch:2',
        sql: ['ALTER TABLE public.orders VALIDATE CONSTRAINT orders_shipping_method_zdm_not_null'],
      },
      {
        id: 'set_not_null:public.orders.shipping_method:contract:1',
        sql: [
          'DROP TRIGGER IF EXISTS zdm_fill_orders_shipping_method ON public.orders',
          'DROP FUNCTION IF EXISTS public.zdm_fill_orders_shipping_method()',
          'ALTER TABLE public.orders ALTER COLUMN shipping_method SET NOT NULL',
          'ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_shipping_method_zdm_not_null',
        ],
      },
    ]);
    // Nothing holds ACCESS EXCLUSIVE while reading the table.
    for (const step of plan.steps)
      if (step.impact.scansTable) expect(step.impact.locks.map((l) => l.mode)).not.toContain('ACCESS EXCLUSIVE');
  });

  it('refuses a column that is already NOT NULL and a bad `up`', () => {
    const error = planError(
      [
        { op: 'setNotNull', table: 'orders', column: 'code' },
        { op: 'setNotNull', table: 'orders', column: 'shipping_method', up: 'coalesce(shipping, 1' },
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].column: public.orders.code is already NOT NULL',
      'operations[1].up: "coalesce(shipping, 1" is not one SQL expression: syntax error at end of input (at character 21)',
    ]);
  });
});

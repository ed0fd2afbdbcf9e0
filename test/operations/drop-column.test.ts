import { describe, expect, it } from 'vitest';
import { catalog, col, planError, planOps, planSql, table } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('dropColumn plans (exact SQL)', () => {
  it('a NOT NULL column without a default: relaxed at expand (rollback restores it through a validated check), dropped at contract', () => {
    expect(planSql(planOps([{ op: 'dropColumn', table: 'orders', column: 'code' }], fixture))).toEqual([
      {
        id: 'drop_column:public.orders.code:expand:1',
        sql: ['ALTER TABLE public.orders ALTER COLUMN code DROP NOT NULL'],
        undo: [
          'ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_code_zdm_not_null',
          'ALTER TABLE public.orders ADD CONSTRAINT orders_code_zdm_not_null CHECK (code IS NOT NULL) NOT VALID',
          'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_code_zdm_not_null',
          'ALTER TABLE public.orders ALTER COLUMN code SET NOT NULL',
          'ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_code_zdm_not_null',
        ],
      },
      { id: 'drop_column:public.orders.code:contract:1', sql: ['ALTER TABLE public.orders DROP COLUMN code'] },
    ]);
  });

  it('with `down`: a trigger fills the column for the old version until contract', () => {
    expect(planSql(planOps([{ op: 'dropColumn', table: 'orders', column: 'code', down: `'n/a'` }], fixture))).toEqual([
      {
        id: 'drop_column:public.orders.code:expand:1',
        sql: [
          `CREATE OR REPLACE FUNCTION public.zdm_fill_orders_code() RETURNS trigger LANGUAGE plpgsql AS $zdm$\nBEGIN\n  NEW.code := 'n/a';\n  RETURN NEW;\nEND\n$zdm$`,
          'CREATE TRIGGER zdm_fill_orders_code BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW WHEN (NEW.code IS NULL) EXECUTE FUNCTION public.zdm_fill_orders_code()',
        ],
        undo: [
          'DROP TRIGGER IF EXISTS zdm_fill_orders_code ON public.orders',
          'DROP FUNCTION IF EXISTS public.zdm_fill_orders_code()',
        ],
      },
      {
        id: 'drop_column:public.orders.code:contract:1',
        sql: [
          'DROP TRIGGER IF EXISTS zdm_fill_orders_code ON public.orders',
          'DROP FUNCTION IF EXISTS public.zdm_fill_orders_code()',
          'ALTER TABLE public.orders DROP COLUMN code',
        ],
      },
    ]);
  });

  it('a nullable column: nothing at expand; its indexes go with it at contract', () => {
    const plan = planOps([{ op: 'dropColumn', table: 'users', column: 'email' }], fixture);
    expect(planSql(plan)).toEqual([
      { id: 'drop_column:public.users.email:contract:1', sql: ['ALTER TABLE public.users DROP COLUMN email'] },
    ]);
    expect(plan.steps[0]!.description).toBe('drop column public.users.email, with index users_email_idx');
  });

  it('refuses columns other objects depend on', () => {
    const shops = table('shops', [col('id', 'bigint', { notNull: true }), col('code', 'text')], {
      dependents: [{ column: 'code', kind: 'view', name: 'public.shop_codes' }],
      referencedBy: [
        {
          name: 'orders_shop_fk',
          table: { schema: 'public', name: 'orders' },
          columns: ['shop_id'],
          referencedColumns: ['id'],
          definition: '',
          validated: true,
        },
      ],
    });
    const error = planError(
      [
        { op: 'dropColumn', table: 'shops', column: 'code' },
        { op: 'dropColumn', table: 'shops', column: 'id' },
        { op: 'dropColumn', table: 'shops', column: 'nope' },
      ],
      catalog([shops]),
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].column: public.shops.code is used by view public.shop_codes; change or drop those first (dropping the column would need CASCADE)',
      'operations[1].column: public.shops.id is referenced by foreign key(s) orders_shop_fk on public.orders; drop them first',
      'operations[2].column: column nope does not exist on table public.shops',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('addCheck plans (exact SQL)', () => {
  it('NOT VALID at expand; a sample of violations, then VALIDATE in its own transaction at switch', () => {
    const plan = planOps(
      [{ op: 'addCheck', table: 'orders', name: 'orders_code_len', expression: 'length(code) < 20' }],
      fixture,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'add_check:public.orders.orders_code_len:expand:1',
        sql: ['ALTER TABLE public.orders ADD CONSTRAINT orders_code_len CHECK (length(code) < 20) NOT VALID'],
        undo: ['ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_code_len'],
      },
      {
        id: 'add_check:public.orders.orders_code_len:switch:1',
        sql: ['SELECT id, code FROM public.orders WHERE (length(code) < 20) IS FALSE LIMIT 10'],
      },
      {
        id: 'add_check:public.orders.orders_code_len:switch:2',
        sql: ['ALTER TABLE public.orders VALIDATE CONSTRAINT orders_code_len'],
      },
    ]);
    expect(plan.steps.map((s) => [s.impact.locks[0]!.mode, s.impact.lockDuration, s.impact.scansTable])).toEqual([
      ['ACCESS EXCLUSIVE', 'brief', false],
      ['ACCESS SHARE', 'scan', true],
      ['SHARE UPDATE EXCLUSIVE', 'scan', true],
    ]);
    expect(plan.steps[2]!.kind === 'sql' && plan.steps[2]!.transactional).toBe(true);
  });

  it('refuses a taken name, unknown columns and a second statement', () => {
    const error = planError(
      [
        { op: 'addCheck', table: 'orders', name: 'orders_pkey', expression: 'true' },
        { op: 'addCheck', table: 'orders', name: 'c2', expression: 'amount > 0' },
        { op: 'addCheck', table: 'orders', name: 'c3', expression: 'true); DROP TABLE orders; SELECT (1' },
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].name: constraint orders_pkey already exists on table public.orders',
      'operations[1].expression: "amount > 0" uses column amount, which table public.orders does not have',
      'operations[2].expression: "true); DROP TABLE orders; SELECT (1" is not one SQL expression',
    ]);
  });

  it('with up: a checked shadow copy of the column, the check added NOT VALID on it, validated before the swap, renamed at contract', () => {
    const plan = planOps(
      [
        {
          op: 'addCheck',
          table: 'orders',
          name: 'orders_code_len',
          expression: 'length(code) > 3',
          up: { code: "CASE WHEN length(code) > 3 THEN code ELSE rpad(code, 4, '-') END" },
        },
      ],
      fixture,
    );
    const sql = planSql(plan).flatMap((s) => s.sql);
    expect(sql).toContain(
      'ALTER TABLE public.orders ADD CONSTRAINT orders_code_len_zdm CHECK (length(code_zdm_new) > 3) NOT VALID',
    );
    expect(sql).toContain('ALTER TABLE public.orders VALIDATE CONSTRAINT orders_code_len_zdm');
    expect(sql).toContain('ALTER TABLE public.orders RENAME CONSTRAINT orders_code_len_zdm TO orders_code_len');
    expect(sql.some((s) => s.startsWith('CREATE TRIGGER zdm_fix_orders_code BEFORE INSERT OR UPDATE'))).toBe(true);
    expect(plan.notes.map((n) => n.text).join('\n')).toContain(
      'the old application writes public.orders.code unchanged',
    );
  });

  it('with up: refuses a column the check does not use, down without up, and a column changed earlier in the file', () => {
    const error = planError(
      [
        { op: 'addCheck', table: 'orders', name: 'c1', expression: 'length(code) > 3', up: { user_id: '1' } },
        { op: 'addCheck', table: 'orders', name: 'c2', expression: 'length(code) > 3', down: { code: 'code' } },
        { op: 'renameColumn', table: 'orders', from: 'shipping_method', to: 'shipping' },
        { op: 'addCheck', table: 'orders', name: 'c3', expression: "shipping <> ''", up: { shipping: "'x'" } },
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].up.user_id: the check does not use user_id: `up` rewrites only columns the check reads',
      'operations[1].down: `down` goes with `up`: without `up` the column is not copied',
      'operations[3].up.shipping: operations[2] (renameColumn) already changes public.orders.shipping in this migration; `up` copies the column as it is before expand: put the check with `up` in a later migration',
    ]);
  });

  it('with up after a type change of the column: composes with a direct one (the copy gets the new type), refused after a rewriting one', () => {
    const check = {
      op: 'addCheck',
      table: 'orders',
      name: 'c1',
      expression: 'length(shipping_method) > 3',
      up: { shipping_method: "rpad(shipping_method, 4, '-')" },
    };
    const sql = planSql(
      planOps([{ op: 'changeColumnType', table: 'orders', column: 'shipping_method', type: 'text' }, check], fixture),
    )
      .flatMap((s) => s.sql)
      .join('\n');
    expect(sql).toContain('ALTER TABLE public.orders ALTER COLUMN shipping_method TYPE text');
    expect(sql).toContain('ALTER TABLE public.orders ADD COLUMN shipping_method_zdm_new text');
    const error = planError(
      [
        {
          op: 'changeColumnType',
          table: 'orders',
          column: 'shipping_method',
          type: 'integer',
          using: 'shipping_method::integer',
        },
        check,
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[1].up.shipping_method: public.orders.shipping_method gets a new type from operations[0] (changeColumnType) through a new column swapped in at switch, so operations[1] (addCheck) cannot change it in the same migration: put it before operations[0] (changeColumnType) or in a later migration',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

const fk = (extra: object = {}) => ({
  op: 'addForeignKey',
  table: 'orders',
  name: 'orders_user_fk',
  columns: ['user_id'],
  references: { table: 'users', columns: ['id'] },
  onDelete: 'cascade',
  ...extra,
});

describe('addForeignKey plans (exact SQL)', () => {
  it('NOT VALID at expand (SHARE ROW EXCLUSIVE on both tables, briefly); orphans sampled, then VALIDATE at switch', () => {
    const plan = planOps([fk()], fixture);
    expect(planSql(plan)).toEqual([
      {
        id: 'add_foreign_key:public.orders.orders_user_fk:expand:1',
        sql: [
          'ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE CASCADE NOT VALID',
        ],
        undo: ['ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_user_fk'],
      },
      {
        id: 'add_foreign_key:public.orders.orders_user_fk:switch:1',
        sql: [
          'SELECT id, user_id FROM public.orders WHERE public.orders.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.users zdm_ref WHERE zdm_ref.id = public.orders.user_id) LIMIT 10',
        ],
      },
      {
        id: 'add_foreign_key:public.orders.orders_user_fk:switch:2',
        sql: ['ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_fk'],
      },
    ]);
    expect(plan.steps[0]!.impact.locks.map((l) => `${l.relation.name}: ${l.mode}`)).toEqual([
      'orders: SHARE ROW EXCLUSIVE',
      'users: SHARE ROW EXCLUSIVE',
    ]);
    expect(plan.steps[2]!.impact.locks.map((l) => `${l.relation.name}: ${l.mode}`)).toEqual([
      'orders: SHARE UPDATE EXCLUSIVE',
      'users: ROW SHARE',
    ]);
    expect(plan.notes.map((n) => n.text)).toEqual([
      'no index on public.orders (user_id): every delete or key update on public.users will scan public.orders; consider createIndex',
    ]);
    expect(plan.targetSchemas).toEqual(['public']);
  });

  it('refuses a reference without a unique key, mismatched lists and unknown columns', () => {
    const error = planError(
      [
        fk({ references: { table: 'users', columns: ['email'] } }),
        fk({ name: 'f2', references: { table: 'users', columns: ['id', 'email'] } }),
        fk({ name: 'f3', columns: ['buyer_id'] }),
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].references.columns: public.users has no primary key, unique constraint or unique index on (email); a foreign key must reference one (addUnique first)',
      'operations[1].references.columns: 1 column(s) reference 2 column(s); the lists must have the same length',
      'operations[2].columns[0]: column buyer_id does not exist on table public.orders',
    ]);
    expect(() => planOps([fk({ onDelete: 'explode' })], fixture)).toThrow(/onDelete/);
  });

  it('match, deferrable and initiallyDeferred are written as SQL orders them, before NOT VALID', () => {
    const plan = planOps([fk({ match: 'full', initiallyDeferred: true })], fixture);
    expect(planSql(plan)[0]!.sql).toEqual([
      'ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users (id) MATCH FULL ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED NOT VALID',
    ]);
    expect(planSql(planOps([fk({ deferrable: true })], fixture))[0]!.sql[0]).toContain(
      'ON DELETE CASCADE DEFERRABLE NOT VALID',
    );
    expect(
      planError([fk({ deferrable: false, initiallyDeferred: true })], fixture).issues.map(
        (i) => `${i.path}: ${i.message}`,
      ),
    ).toEqual([
      'operations[0].initiallyDeferred: `initiallyDeferred: true` needs a deferrable constraint: drop `deferrable: false`',
    ]);
  });

  it('with up: the key NOT VALID on a copy of the column at expand, up only for rows without a referenced row, validated before the swap, named at contract', () => {
    const steps = planSql(planOps([fk({ up: { user_id: 'NULL' } })], fixture));
    const orphanTest =
      '((user_id) IN (SELECT zdm_ref.id FROM public.users zdm_ref WHERE zdm_ref.id IS NOT NULL) IS FALSE)';
    expect(steps.map((s) => [s.id, s.sql.at(-1)])).toEqual([
      ['add_foreign_key:public.orders.orders_user_fk:expand:1', expect.stringContaining('CREATE TRIGGER zdm_sync_')],
      [
        'add_foreign_key:public.orders.orders_user_fk:expand:2',
        'ALTER TABLE public.orders ADD CONSTRAINT orders_user_fk_zdm FOREIGN KEY (user_id_zdm_new) REFERENCES public.users (id) ON DELETE CASCADE NOT VALID',
      ],
      [
        'backfill:public.orders:backfill:1',
        expect.stringContaining(`SET user_id_zdm_new = CASE WHEN ${orphanTest} THEN (NULL) ELSE user_id END`),
      ],
      [
        'add_foreign_key:public.orders.orders_user_fk:switch:1',
        'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_user_fk_zdm',
      ],
      [
        'add_foreign_key:public.orders.orders_user_fk:switch:2',
        expect.stringContaining('user_id_zdm_new IS DISTINCT FROM'),
      ],
      [
        'add_foreign_key:public.orders.orders_user_fk:switch:3',
        expect.stringContaining('CREATE TRIGGER zdm_fix_orders_user_id'),
      ],
      [
        'add_foreign_key:public.orders.orders_user_fk:contract:1',
        'ALTER TABLE public.orders DROP COLUMN user_id_zdm_old',
      ],
      [
        'add_foreign_key:public.orders.orders_user_fk:contract:2',
        'ALTER TABLE public.orders RENAME CONSTRAINT orders_user_fk_zdm TO orders_user_fk',
      ],
    ]);
  });

  it('with up: refuses a column outside the key, down without up, and a volatile up', () => {
    const error = planError(
      [
        fk({ up: { code: "'x'" } }),
        fk({ name: 'f2', down: { user_id: 'user_id' } }),
        fk({ name: 'f3', up: { user_id: 'random()::int' } }),
      ],
      { ...fixture, functions: new Map([['random', 'v' as const]]) },
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "operations[0].up.code: code is not one of the constraint's columns: `up` rewrites only those",
      'operations[1].down: `down` goes with `up`: without `up` the column is not copied',
      'operations[2].up.user_id: random is volatile: `up` must give a row the same value each time, since the switch checks every copied value against it; derive it from the row (its key, for example), or declare a function of yours that does IMMUTABLE or STABLE',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../src/plan/render.js';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

const addColumn = (column: object, up?: string) => ({
  op: 'addColumn',
  table: 'orders',
  column,
  ...(up ? { up } : {}),
});

describe('addColumn plans (exact SQL)', () => {
  it('nullable, or with a constant default even NOT NULL: one brief, metadata-only ALTER', () => {
    const plan = planOps(
      [
        addColumn({ name: 'note', type: 'text' }),
        addColumn({ name: 'shipping', type: 'varchar(50)', nullable: false, default: `'standard'` }),
      ],
      fixture,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'add_column:public.orders.note:expand:1',
        sql: ['ALTER TABLE public.orders ADD COLUMN note text'],
        undo: ['ALTER TABLE public.orders DROP COLUMN IF EXISTS note'],
      },
      {
        id: 'add_column:public.orders.shipping:expand:1',
        sql: [`ALTER TABLE public.orders ADD COLUMN shipping varchar(50) DEFAULT 'standard' NOT NULL`],
        undo: ['ALTER TABLE public.orders DROP COLUMN IF EXISTS shipping'],
      },
    ]);
    expect(plan.steps.map((s) => s.impact)).toEqual([
      {
        locks: [{ relation: { schema: 'public', name: 'orders' }, mode: 'ACCESS EXCLUSIVE' }],
        lockDuration: 'brief',
        rewritesTable: false,
        scansTable: false,
      },
      {
        locks: [{ relation: { schema: 'public', name: 'orders' }, mode: 'ACCESS EXCLUSIVE' }],
        lockDuration: 'brief',
        rewritesTable: false,
        scansTable: false,
      },
    ]);
  });

  it('now() is STABLE: inline default, no backfill', () => {
    expect(
      planSql(planOps([addColumn({ name: 'seen_at', type: 'timestamptz', default: 'now()' })], fixture))[0]!.sql,
    ).toEqual(['ALTER TABLE public.orders ADD COLUMN seen_at timestamptz DEFAULT now()']);
  });

  it('a volatile NOT NULL UNIQUE default: SET DEFAULT for new rows, backfill, CHECK NOT VALID, unique index CONCURRENTLY', () => {
    const plan = planOps(
      [addColumn({ name: 'token', type: 'uuid', nullable: false, default: 'gen_random_uuid()', unique: true })],
      fixture,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'add_column:public.orders.token:expand:1',
        sql: [
          'ALTER TABLE public.orders ADD COLUMN token uuid',
          'ALTER TABLE public.orders ALTER COLUMN token SET DEFAULT gen_random_uuid()',
          'CREATE OR REPLACE FUNCTION public.zdm_fill_orders_token() RETURNS trigger LANGUAGE plpgsql AS $zdm$\nBEGIN\n  NEW.token := gen_random_uuid();\n  RETURN NEW;\nEND\n$zdm$',
          'CREATE TRIGGER zdm_fill_orders_token BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW WHEN (NEW.token IS NULL) EXECUTE FUNCTION public.zdm_fill_orders_token()',
          'ALTER TABLE public.orders ADD CONSTRAINT orders_token_zdm_not_null CHECK (token IS NOT NULL) NOT VALID',
        ],
        undo: [
          'DROP TRIGGER IF EXISTS zdm_fill_orders_token ON public.orders',
          'DROP FUNCTION IF EXISTS public.zdm_fill_orders_token()',
          'ALTER TABLE public.orders DROP COLUMN IF EXISTS token',
        ],
      },
      {
        id: 'add_column:public.orders.token:expand:2',
        sql: ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_token_key ON public.orders (token)'],
        undo: ['DROP INDEX CONCURRENTLY IF EXISTS public.orders_token_key'],
      },
      {
        id: 'add_column:public.orders.token:expand:3',
        sql: ['ALTER TABLE public.orders ADD CONSTRAINT orders_token_key UNIQUE USING INDEX orders_token_key'],
        undo: ['ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_token_key'],
      },
      {
        id: 'backfill:public.orders:backfill:1',
        sql: [
          '-- per batch, in its own transaction with zdm.backfill = on and synchronous_commit = off:',
          'SELECT id::text AS k0 FROM public.orders WHERE id > $1::bigint ORDER BY id OFFSET $2 LIMIT 1',
          'UPDATE public.orders SET token = COALESCE(token, gen_random_uuid()) WHERE id > $1::bigint AND id <= $2::bigint AND (token IS NULL)',
        ],
      },
      {
        id: 'add_column:public.orders.token:switch:1',
        sql: ['SELECT id, token FROM public.orders WHERE token IS NULL LIMIT 10'],
      },
      {
        id: 'add_column:public.orders.token:switch:2',
        sql: ['ALTER TABLE public.orders VALIDATE CONSTRAINT orders_token_zdm_not_null'],
      },
      {
        id: 'add_column:public.orders.token:contract:1',
        sql: [
          'DROP TRIGGER IF EXISTS zdm_fill_orders_token ON public.orders',
          'DROP FUNCTION IF EXISTS public.zdm_fill_orders_token()',
          'ALTER TABLE public.orders ALTER COLUMN token SET NOT NULL',
          'ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_token_zdm_not_null',
        ],
      },
    ]);
    const build = plan.steps[1]!;
    expect(build.impact).toEqual({
      locks: [{ relation: { schema: 'public', name: 'orders' }, mode: 'SHARE UPDATE EXCLUSIVE' }],
      lockDuration: 'scan',
      rewritesTable: false,
      scansTable: true,
      estimatedRows: 1000,
    });
    expect(plan.steps.every((s) => !s.impact.rewritesTable)).toBe(true);
  });

  it('`up`, CHECK and REFERENCES on one table: constraints NOT VALID, one shared backfill, validation at switch', () => {
    const plan = planOps(
      [
        addColumn(
          { name: 'kind', type: 'text', nullable: false, check: `kind <> ''` },
          `CASE WHEN express THEN 'express' ELSE 'standard' END`,
        ),
        addColumn(
          { name: 'buyer_id', type: 'bigint', references: { table: 'users', onDelete: 'set null' } },
          'user_id',
        ),
      ],
      fixture,
    );
    const sql = planSql(plan);
    expect(sql.map((s) => s.id)).toEqual([
      'add_column:public.orders.kind:expand:1',
      'add_column:public.orders.buyer_id:expand:1',
      'backfill:public.orders:backfill:1',
      'add_column:public.orders.kind:switch:1',
      'add_column:public.orders.kind:switch:2',
      'add_column:public.orders.kind:switch:3',
      'add_column:public.orders.kind:switch:4',
      'add_column:public.orders.buyer_id:switch:1',
      'add_column:public.orders.buyer_id:switch:2',
      'add_column:public.orders.kind:contract:1',
      'add_column:public.orders.buyer_id:contract:1',
    ]);
    expect(sql[0]!.sql).toEqual([
      'ALTER TABLE public.orders ADD COLUMN kind text',
      `CREATE OR REPLACE FUNCTION public.zdm_fill_orders_kind() RETURNS trigger LANGUAGE plpgsql AS $zdm$\nBEGIN\n  NEW.kind := CASE WHEN new.express THEN 'express' ELSE 'standard' END;\n  RETURN NEW;\nEND\n$zdm$`,
      'CREATE TRIGGER zdm_fill_orders_kind BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW WHEN (NEW.kind IS NULL) EXECUTE FUNCTION public.zdm_fill_orders_kind()',
      'ALTER TABLE public.orders ADD CONSTRAINT orders_kind_zdm_not_null CHECK (kind IS NOT NULL) NOT VALID',
      `ALTER TABLE public.orders ADD CONSTRAINT orders_kind_check CHECK (kind <> '') NOT VALID`,
    ]);
    expect(sql[1]!.sql[3]).toBe(
      'ALTER TABLE public.orders ADD CONSTRAINT orders_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.users (id) ON DELETE SET NULL NOT VALID',
    );
    expect(plan.steps[1]!.impact.locks).toEqual([
      { relation: { schema: 'public', name: 'orders' }, mode: 'ACCESS EXCLUSIVE' },
      { relation: { schema: 'public', name: 'users' }, mode: 'SHARE ROW EXCLUSIVE' },
    ]);
    expect(sql[2]!.sql[2]).toBe(
      `UPDATE public.orders SET kind = COALESCE(kind, (CASE WHEN express THEN 'express' ELSE 'standard' END)), buyer_id = COALESCE(buyer_id, user_id) WHERE id > $1::bigint AND id <= $2::bigint AND ((kind IS NULL) OR (buyer_id IS NULL))`,
    );
    expect(sql.slice(5, 9).map((s) => s.sql[0])).toEqual([
      `SELECT id, kind FROM public.orders WHERE (kind <> '') IS FALSE LIMIT 10`,
      'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_kind_check',
      'SELECT id, buyer_id FROM public.orders WHERE public.orders.buyer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM public.users zdm_ref WHERE zdm_ref.id = public.orders.buyer_id) LIMIT 10',
      'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_buyer_id_fkey',
    ]);
    expect(plan.steps[8]!.impact.locks).toEqual([
      { relation: { schema: 'public', name: 'orders' }, mode: 'SHARE UPDATE EXCLUSIVE' },
      { relation: { schema: 'public', name: 'users' }, mode: 'ROW SHARE' },
    ]);
  });

  it('refuses impossible requests at plan time, each naming the field and the object', () => {
    const error = planError(
      [
        addColumn({ name: 'code', type: 'text' }),
        addColumn({ name: 'serial_no', type: 'text', nullable: false }),
        addColumn({ name: 'n', type: 'bigserial' }),
        addColumn({ name: 'p', type: 'numeric', check: 'cost > 0' }),
        addColumn({ name: 'q', type: 'text NOT NULL' }),
        addColumn({ name: 'r', type: 'text', default: `'a') ; DROP TABLE users; --` }),
        addColumn({ name: 's', type: 'int', default: 'user_id + 1' }),
        addColumn({ name: 't', type: 'bigint', references: { table: 'events' } }),
        addColumn({ name: 'u', type: 'text', default: `'same'`, unique: true }),
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].column.name: column code already exists on table public.orders',
      'operations[1].column.nullable: a NOT NULL column needs a value for the existing rows and for rows the running application inserts without it: give `column.default` or `up`',
      `operations[2].column.type: "bigserial" gives every existing row a sequence value, which rewrites the table under ACCESS EXCLUSIVE; create a sequence first and add an integer column with default nextval('...'), which is backfilled`,
      'operations[3].column.check: "cost > 0" uses column cost, which table public.orders does not have',
      'operations[4].column.type: "text NOT NULL" must be only a type: give NOT NULL, DEFAULT, CHECK, REFERENCES and UNIQUE in their own fields',
      `operations[5].column.default: "'a') ; DROP TABLE users; --" is not one SQL expression`,
      'operations[6].column.default: "user_id + 1": a default cannot use columns; give `up` to compute existing rows from other columns',
      'operations[7].column.references.column: public.events has no single-column primary key: name the referenced column',
      `operations[8].column.unique: every existing row of public.orders would get the same default 'same', which a unique constraint refuses; give \`up\` (a distinct value per row) or a volatile default such as gen_random_uuid()`,
    ]);
    expect(error.issues.every((i) => i.file === '/migrations/0001_test.json')).toBe(true);
  });

  it('`zdm plan` shows each step with its SQL, lock, rewrite/scan and estimated rows', () => {
    const text = renderPlan(
      planOps([addColumn({ name: 'token', type: 'uuid', nullable: false, default: 'gen_random_uuid()' })], fixture),
      'text',
    );
    expect(text).toContain(
      [
        '  backfill:public.orders:backfill:1',
        '    copy data into token for every existing row of public.orders, in keyset batches on (id)',
        '    lock: ROW EXCLUSIVE on public.orders (per batch, on the batch rows only; reads and writes continue)',
        '    rewrites table: no; scans table: no; rows: ~1,000',
      ].join('\n'),
    );
    expect(text).toContain(
      [
        '  add_column:public.orders.token:switch:2',
        '    validate constraint orders_token_zdm_not_null on public.orders (scans the table; reads and writes continue)',
        '    lock: SHARE UPDATE EXCLUSIVE on public.orders (held while the table is scanned; reads and writes continue)',
        '    rewrites table: no; scans table: yes; rows: ~1,000',
        '    runs: one transaction, lock_timeout, retried',
        '    sql:',
        '      ALTER TABLE public.orders VALIDATE CONSTRAINT orders_token_zdm_not_null',
      ].join('\n'),
    );
  });

  it('before Postgres 11 every default is backfilled (ADD COLUMN ... DEFAULT rewrote the table)', () => {
    const old = { ...fixture, serverVersionNum: 100023 };
    expect(
      planSql(planOps([addColumn({ name: 'flag', type: 'text', default: `'on'` })], old)).map((s) => s.id),
    ).toEqual(['add_column:public.orders.flag:expand:1', 'backfill:public.orders:backfill:1']);
  });
});

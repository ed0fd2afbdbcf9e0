import { describe, expect, it } from 'vitest';
import { catalog, col, index, planError, planOps, planSql, table } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('createIndex plans (exact SQL)', () => {
  it('unique, partial, expression, multi-column, method, include: CONCURRENTLY, outside a transaction', () => {
    const plan = planOps(
      [
        {
          op: 'createIndex',
          table: 'users',
          name: 'users_email_lower',
          columns: ['lower(email)'],
          unique: true,
          where: 'name IS NOT NULL',
          method: 'btree',
        },
        {
          op: 'createIndex',
          table: 'orders',
          name: 'orders_user_recent',
          columns: ['user_id', 'id DESC'],
          include: ['code'],
        },
        { op: 'createIndex', table: 'orders', name: '"Orders By Code"', columns: ['code'], method: 'hash' },
      ],
      fixture,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'create_index:public.users_email_lower:expand:1',
        sql: [
          'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_lower ON public.users USING btree (lower(email)) WHERE name IS NOT NULL',
        ],
        undo: ['DROP INDEX CONCURRENTLY IF EXISTS public.users_email_lower'],
      },
      {
        id: 'create_index:public.orders_user_recent:expand:1',
        sql: [
          'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_recent ON public.orders (user_id, id DESC) INCLUDE (code)',
        ],
        undo: ['DROP INDEX CONCURRENTLY IF EXISTS public.orders_user_recent'],
      },
      {
        id: 'create_index:public.Orders By Code:expand:1',
        sql: ['CREATE INDEX CONCURRENTLY IF NOT EXISTS "Orders By Code" ON public.orders USING hash (code)'],
        undo: ['DROP INDEX CONCURRENTLY IF EXISTS public."Orders By Code"'],
      },
    ]);
    expect(plan.steps.every((s) => s.kind === 'create-index')).toBe(true);
  });

  it('an INVALID leftover of the same name is accepted: the executor drops and rebuilds it', () => {
    const tags = table('tags', [col('id', 'bigint', { notNull: true }), col('label', 'text')], {
      indexes: [
        index('tags_label_key', 'CREATE UNIQUE INDEX tags_label_key ON public.tags USING btree (label)', ['label'], {
          valid: false,
        }),
      ],
    });
    const plan = planOps(
      [{ op: 'createIndex', table: 'tags', name: 'tags_label_key', columns: ['label'], unique: true }],
      catalog([tags]),
    );
    expect(plan.notes[0]!.text).toBe(
      'index tags_label_key exists but is INVALID (a failed build): it is dropped and built again',
    );
  });

  it('refuses unknown columns, a bad element, a unique non-btree index and a taken name', () => {
    const error = planError(
      [
        { op: 'createIndex', table: 'users', name: 'i1', columns: ['lower(mail)'] },
        { op: 'createIndex', table: 'users', name: 'i2', columns: ['email + 1 +'] },
        { op: 'createIndex', table: 'users', name: 'i3', columns: ['email'], unique: true, method: 'gin' },
        { op: 'createIndex', table: 'users', name: 'users_email_idx', columns: ['email'] },
        { op: 'createIndex', table: 'users', name: 'i5', columns: ['email'], where: 'deleted_at IS NULL' },
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].columns[0]: "lower(mail)" uses column mail, which table public.users does not have',
      'operations[1].columns[0]: "email + 1 +" is not a column or index expression (syntax error at or near "+"); write expressions as in SQL: "lower(email)", "(a + b)", "created_at DESC"',
      'operations[2].method: only btree indexes can be unique (method "gin")',
      'operations[3].name: an index named users_email_idx already exists on table public.users',
      'operations[4].where: "deleted_at IS NULL" uses column deleted_at, which table public.users does not have',
    ]);
  });

  it('storage parameters go in WITH, after INCLUDE and before WHERE; unknown ones are refused per method', () => {
    const plan = planOps(
      [
        {
          op: 'createIndex',
          table: 'users',
          name: 'users_name_live',
          columns: ['name'],
          include: ['email'],
          where: 'email IS NOT NULL',
          storageParameters: { fillfactor: 70, deduplicate_items: false },
        },
        {
          op: 'createIndex',
          table: 'users',
          name: 'users_name_gin',
          columns: ['name'],
          method: 'brin',
          storageParameters: { pages_per_range: 16 },
        },
      ],
      fixture,
    );
    expect(planSql(plan).map((s) => s.sql[0])).toEqual([
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_live ON public.users (name) INCLUDE (email) WITH (fillfactor = 70, deduplicate_items = false) WHERE email IS NOT NULL',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_gin ON public.users USING brin (name) WITH (pages_per_range = 16)',
    ]);
    expect(
      planError(
        [
          {
            op: 'createIndex',
            table: 'users',
            name: 'i',
            columns: ['name'],
            method: 'hash',
            storageParameters: { deduplicate_items: true },
          },
        ],
        fixture,
      ).issues.map((i) => `${i.path}: ${i.message}`),
    ).toEqual([
      'operations[0].storageParameters.deduplicate_items: hash indexes take fillfactor, not "deduplicate_items"',
    ]);
  });
});

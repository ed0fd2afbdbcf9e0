import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('addUnique plans (exact SQL)', () => {
  it('CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX', () => {
    const plan = planOps(
      [{ op: 'addUnique', table: 'users', name: 'users_email_name_key', columns: ['email', 'name'] }],
      fixture,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'add_unique:public.users.users_email_name_key:expand:1',
        sql: ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_name_key ON public.users (email, name)'],
        undo: ['DROP INDEX CONCURRENTLY IF EXISTS public.users_email_name_key'],
      },
      {
        id: 'add_unique:public.users.users_email_name_key:expand:2',
        sql: ['ALTER TABLE public.users ADD CONSTRAINT users_email_name_key UNIQUE USING INDEX users_email_name_key'],
        undo: ['ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_email_name_key'],
      },
    ]);
    expect(plan.steps.map((s) => s.kind)).toEqual(['create-index', 'sql']);
    expect(plan.steps[0]!.impact).toEqual({
      locks: [{ relation: { schema: 'public', name: 'users' }, mode: 'SHARE UPDATE EXCLUSIVE' }],
      lockDuration: 'scan',
      rewritesTable: false,
      scansTable: true,
      estimatedRows: 1000,
    });
  });

  it('refuses a name an index already has', () => {
    expect(
      planError([{ op: 'addUnique', table: 'users', name: 'users_email_idx', columns: ['email'] }], fixture).message,
    ).toBe(
      '/migrations/0001_test.json: operations[0].name: an index named users_email_idx already exists on table public.users',
    );
  });

  it('with up: a copy of the column carrying the unique index, adopted as the constraint at contract; after the swap only a duplicating write gets up', () => {
    const plan = planOps(
      [
        {
          op: 'addUnique',
          table: 'users',
          name: 'users_name_key',
          columns: ['name'],
          up: { name: "name || '-' || id" },
        },
      ],
      fixture,
    );
    const sql = planSql(plan).flatMap((s) => s.sql);
    expect(sql).toContain(
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_name_key_zdm ON public.users (name_zdm_new)',
    );
    expect(sql).toContain(
      'ALTER TABLE public.users ADD CONSTRAINT users_name_key UNIQUE USING INDEX users_name_key_zdm',
    );
    expect(sql.find((s) => s.includes('zdm_fix_users_name() RETURNS trigger'))).toContain(
      "NEW.name := CASE WHEN EXISTS (SELECT 1 FROM public.users AS zdm_other WHERE zdm_other.name = new.name AND zdm_other.id IS DISTINCT FROM new.id) THEN (new.name || '-') || new.id ELSE new.name END;",
    );
  });

  it('with up: refuses a column outside the constraint, down without up, and a volatile up', () => {
    const error = planError(
      [
        { op: 'addUnique', table: 'users', name: 'u1', columns: ['name'], up: { email: 'email' } },
        { op: 'addUnique', table: 'users', name: 'u2', columns: ['name'], down: { name: 'name' } },
        { op: 'addUnique', table: 'users', name: 'u3', columns: ['name'], up: { name: 'name || random()' } },
      ],
      { ...fixture, functions: new Map([['random', 'v' as const]]) },
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "operations[0].up.email: email is not one of the constraint's columns: `up` rewrites only those",
      'operations[1].down: `down` goes with `up`: without `up` the column is not copied',
      'operations[2].up.name: random is volatile: `up` must give a row the same value each time, since the switch checks every copied value against it; derive it from the row (its key, for example), or declare a function of yours that does IMMUTABLE or STABLE',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('dropNotNull plans (exact SQL)', () => {
  it('DROP NOT NULL at expand; the undo restores NOT NULL (its Postgres 18 name too) without a scan under ACCESS EXCLUSIVE', () => {
    const plan = planOps([{ op: 'dropNotNull', table: 'users', column: 'name' }], fixture);
    expect(planSql(plan)).toEqual([
      {
        id: 'drop_not_null:public.users.name:expand:1',
        sql: ['ALTER TABLE public.users ALTER COLUMN name DROP NOT NULL'],
        undo: [
          'ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_name_zdm_not_null',
          'ALTER TABLE public.users ADD CONSTRAINT users_name_zdm_not_null CHECK (name IS NOT NULL) NOT VALID',
          'ALTER TABLE public.users VALIDATE CONSTRAINT users_name_zdm_not_null',
          'ALTER TABLE public.users ADD CONSTRAINT users_name_not_null NOT NULL name',
          'ALTER TABLE public.users DROP CONSTRAINT IF EXISTS users_name_zdm_not_null',
        ],
      },
    ]);
    expect(plan.steps[0]!.kind === 'sql' && plan.steps[0]!.undo?.transactional).toBe(false);
  });

  it('refuses nullable and primary-key columns', () => {
    const error = planError(
      [
        { op: 'dropNotNull', table: 'users', column: 'email' },
        { op: 'dropNotNull', table: 'users', column: 'id' },
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].column: public.users.email is already nullable',
      'operations[1].column: public.users.id is part of primary key users_pkey; primary-key columns are always NOT NULL',
    ]);
  });

  it('with down: a trigger giving NULL writes down at expand; NOT NULL dropped with it at contract', () => {
    const plan = planOps([{ op: 'dropNotNull', table: 'users', column: 'name', down: "'unknown'" }], fixture);
    const steps = planSql(plan);
    expect(steps.map((s) => s.id)).toEqual([
      'drop_not_null:public.users.name:expand:1',
      'drop_not_null:public.users.name:contract:1',
    ]);
    expect(steps[0]!.sql[1]).toBe(
      'CREATE TRIGGER zdm_fill_users_name BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW WHEN (NEW.name IS NULL) EXECUTE FUNCTION public.zdm_fill_users_name()',
    );
    expect(steps[0]!.undo).toEqual([
      'DROP TRIGGER IF EXISTS zdm_fill_users_name ON public.users',
      'DROP FUNCTION IF EXISTS public.zdm_fill_users_name()',
    ]);
    expect(steps[1]!.sql).toEqual([
      'DROP TRIGGER IF EXISTS zdm_fill_users_name ON public.users',
      'DROP FUNCTION IF EXISTS public.zdm_fill_users_name()',
      'ALTER TABLE public.users ALTER COLUMN name DROP NOT NULL',
    ]);
    expect(
      planError([{ op: 'dropNotNull', table: 'users', column: 'name', down: 'nickname' }], fixture).issues.map(
        (i) => `${i.path}: ${i.message}`,
      ),
    ).toEqual(['operations[0].down: "nickname" uses column nickname, which table public.users does not have']);
  });
});

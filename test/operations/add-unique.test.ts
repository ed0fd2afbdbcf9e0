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
});

import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('setDefault plans (exact SQL)', () => {
  it('direct, brief, at expand; the undo restores the previous default or none', () => {
    const plan = planOps(
      [
        { op: 'setDefault', table: 'users', column: 'name', default: `'anon'` },
        { op: 'setDefault', table: 'users', column: 'email', default: `'a' || 'b'` },
      ],
      fixture,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'set_default:public.users.name:expand:1',
        sql: [`ALTER TABLE public.users ALTER COLUMN name SET DEFAULT 'anon'`],
        undo: [`ALTER TABLE public.users ALTER COLUMN name SET DEFAULT 'x'::text`],
      },
      {
        id: 'set_default:public.users.email:expand:1',
        sql: [`ALTER TABLE public.users ALTER COLUMN email SET DEFAULT ('a' || 'b')`],
        undo: ['ALTER TABLE public.users ALTER COLUMN email DROP DEFAULT'],
      },
    ]);
    expect(plan.steps[0]!.impact).toEqual({
      locks: [{ relation: { schema: 'public', name: 'users' }, mode: 'ACCESS EXCLUSIVE' }],
      lockDuration: 'brief',
      rewritesTable: false,
      scansTable: false,
    });
  });

  it('refuses a default that reads columns', () => {
    const error = planError([{ op: 'setDefault', table: 'users', column: 'name', default: 'email' }], fixture);
    expect(error.message).toBe(
      '/migrations/0001_test.json: operations[0].default: "email": a default cannot use columns (email)',
    );
  });
});

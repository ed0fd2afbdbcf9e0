import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('dropDefault plans (exact SQL)', () => {
  it('at contract, after the old version (which may rely on it) is gone', () => {
    const plan = planOps([{ op: 'dropDefault', table: 'users', column: 'name' }], fixture);
    expect(planSql(plan)).toEqual([
      {
        id: 'drop_default:public.users.name:contract:1',
        sql: ['ALTER TABLE public.users ALTER COLUMN name DROP DEFAULT'],
      },
    ]);
    expect(plan.notes).toEqual([
      {
        phase: 'contract',
        text: `from contract on, inserts into public.users must give name (its default 'x'::text is dropped): run it when no application version relies on it`,
      },
    ]);
  });

  it('refuses a column without a default', () => {
    expect(planError([{ op: 'dropDefault', table: 'users', column: 'email' }], fixture).message).toBe(
      '/migrations/0001_test.json: operations[0].column: public.users.email has no default',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('dropIndex plans (exact SQL)', () => {
  it('DROP INDEX CONCURRENTLY at contract, outside a transaction; the table is resolved from the index', () => {
    const plan = planOps([{ op: 'dropIndex', name: 'public.users_email_idx' }], fixture);
    expect(planSql(plan)).toEqual([
      {
        id: 'drop_index:public.users_email_idx:contract:1',
        sql: ['DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx'],
      },
    ]);
    expect(plan.steps[0]!.kind === 'sql' && plan.steps[0]!.transactional).toBe(false);
    expect(plan.steps[0]!.impact.locks).toEqual([
      { relation: { schema: 'public', name: 'users' }, mode: 'SHARE UPDATE EXCLUSIVE' },
    ]);
    expect(plan.targetSchemas).toEqual(['public']);
    expect(planSql(planOps([{ op: 'dropIndex', name: 'users_email_idx' }], fixture))[0]!.sql).toEqual([
      'DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx',
    ]);
  });

  it('refuses a missing index and one that implements a constraint', () => {
    const error = planError(
      [
        { op: 'dropIndex', name: 'nope_idx' },
        { op: 'dropIndex', name: 'users_pkey' },
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].name: index nope_idx does not exist (looked up through the search_path; first schema: public)',
      'operations[1].name: index public.users_pkey implements constraint users_pkey of table public.users; dropping it means dropping the constraint (ALTER TABLE ... DROP CONSTRAINT in a "sql" operation)',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { catalog, col, constraint, index, planError, planOps, planSql, table } from '../helpers/catalog.js';

const people = table('people', [col('id', 'bigint', { notNull: true }), col('name', 'text')], {
  indexes: [
    index('people_name_key', 'CREATE UNIQUE INDEX people_name_key ON public.people USING btree (name)', ['name']),
  ],
  constraints: [
    constraint('name_length', 'c', 'CHECK ((length(name) > 3))', ['name']),
    constraint('people_name_key', 'u', 'UNIQUE (name)', ['name'], { index: 'people_name_key' }),
  ],
});
const cat = catalog([people]);

describe('renameConstraint plans (exact SQL)', () => {
  it('renames at contract, when no old version names the constraint any more', () => {
    const plan = planOps(
      [
        { op: 'renameConstraint', table: 'people', from: 'name_length', to: 'name_length_check' },
        { op: 'renameConstraint', table: 'people', from: 'people_name_key', to: 'people_unique_name' },
      ],
      cat,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'rename_constraint:public.people.name_length:contract:1',
        sql: ['ALTER TABLE public.people RENAME CONSTRAINT name_length TO name_length_check'],
      },
      {
        id: 'rename_constraint:public.people.people_name_key:contract:1',
        sql: ['ALTER TABLE public.people RENAME CONSTRAINT people_name_key TO people_unique_name'],
      },
    ]);
    expect(plan.steps[1]!.description).toBe(
      'rename UNIQUE constraint people_name_key of public.people to people_unique_name (its index too)',
    );
  });

  it('refuses a missing constraint, a taken name and the same name', () => {
    const error = planError(
      [
        { op: 'renameConstraint', table: 'people', from: 'gone', to: 'x' },
        { op: 'renameConstraint', table: 'people', from: 'name_length', to: 'people_name_key' },
        { op: 'renameConstraint', table: 'people', from: 'name_length', to: 'NAME_LENGTH' },
      ],
      cat,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].from: constraint gone does not exist on table public.people (it has people_pkey, name_length, people_name_key)',
      'operations[1].to: constraint people_name_key already exists on table public.people',
      'operations[2].to: the constraint is already named name_length',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { planError, planOps, planSql } from '../helpers/catalog.js';
import { fixture } from '../helpers/fixtures.js';

describe('addPrimaryKey plans (exact SQL)', () => {
  it('nullable key column: CHECK NOT VALID and the index CONCURRENTLY at expand; VALIDATE, SET NOT NULL and PRIMARY KEY USING INDEX at switch', () => {
    const plan = planOps([{ op: 'addPrimaryKey', table: 'events', columns: ['id'] }], fixture);
    expect(planSql(plan)).toEqual([
      {
        id: 'add_primary_key:public.events:expand:1',
        sql: ['ALTER TABLE public.events ADD CONSTRAINT events_id_zdm_not_null CHECK (id IS NOT NULL) NOT VALID'],
        undo: ['ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_id_zdm_not_null'],
      },
      {
        id: 'add_primary_key:public.events:expand:2',
        sql: ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_pkey ON public.events (id)'],
        undo: ['DROP INDEX CONCURRENTLY IF EXISTS public.events_pkey'],
      },
      {
        id: 'add_primary_key:public.events:switch:1',
        sql: [
          '-- read through index events_pkey, in a transaction with enable_seqscan = off:',
          'SELECT ctid, id FROM public.events WHERE id IS NULL LIMIT 10',
        ],
      },
      {
        id: 'add_primary_key:public.events:switch:2',
        sql: ['ALTER TABLE public.events VALIDATE CONSTRAINT events_id_zdm_not_null'],
      },
      {
        id: 'add_primary_key:public.events:switch:3',
        sql: [
          'ALTER TABLE public.events ALTER COLUMN id SET NOT NULL',
          'ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey',
          'ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_id_zdm_not_null',
        ],
        undo: [
          'ALTER TABLE public.events DROP CONSTRAINT IF EXISTS events_pkey',
          'ALTER TABLE public.events ALTER COLUMN id DROP NOT NULL',
        ],
      },
    ]);
  });

  it('refuses a table that has one, and unknown columns', () => {
    const error = planError(
      [
        { op: 'addPrimaryKey', table: 'users', columns: ['id'] },
        { op: 'addPrimaryKey', table: 'events', columns: ['uuid'] },
      ],
      fixture,
    );
    expect(error.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'operations[0].table: table public.users already has primary key users_pkey (id)',
      'operations[1].columns[0]: column uuid does not exist on table public.events',
    ]);
  });
});

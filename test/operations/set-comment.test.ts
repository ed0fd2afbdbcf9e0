import { describe, expect, it } from 'vitest';
import { catalog, col, planError, planOps, planSql, table } from '../helpers/catalog.js';

const events = {
  ...table('events', [col('id', 'bigint', { notNull: true }), col('name', 'text', { comment: 'the name' })]),
  comment: "it's the events table",
};
const cat = catalog([events]);

describe('setComment plans (exact SQL)', () => {
  it('comments at expand; the undo puts the previous comment back, or none', () => {
    const plan = planOps(
      [
        { op: 'setComment', table: 'events', comment: 'every event' },
        { op: 'setComment', table: 'events', column: 'name', comment: null },
        { op: 'setComment', table: 'events', column: 'id', comment: "the event's id" },
      ],
      cat,
    );
    expect(planSql(plan)).toEqual([
      {
        id: 'set_comment:public.events:expand:1',
        sql: [`COMMENT ON TABLE public.events IS 'every event'`],
        undo: [`COMMENT ON TABLE public.events IS 'it''s the events table'`],
      },
      {
        id: 'set_comment:public.events.name:expand:1',
        sql: ['COMMENT ON COLUMN public.events.name IS NULL'],
        undo: [`COMMENT ON COLUMN public.events.name IS 'the name'`],
      },
      {
        id: 'set_comment:public.events.id:expand:1',
        sql: [`COMMENT ON COLUMN public.events.id IS 'the event''s id'`],
        undo: ['COMMENT ON COLUMN public.events.id IS NULL'],
      },
    ]);
    expect(plan.steps[0]!.impact.locks).toEqual([
      { relation: { schema: 'public', name: 'events' }, mode: 'SHARE UPDATE EXCLUSIVE' },
    ]);
  });

  it('refuses a missing column and a missing comment field', () => {
    expect(
      planError([{ op: 'setComment', table: 'events', column: 'title', comment: 'x' }], cat).issues[0]!.message,
    ).toBe('column title does not exist on table public.events');
    expect(() => planOps([{ op: 'setComment', table: 'events' }], cat)).toThrow();
  });

  it('comment on addColumn and createTable columns, in the statement that creates them', () => {
    const plan = planOps(
      [
        { op: 'addColumn', table: 'events', column: { name: 'venue', type: 'text', comment: 'where' } },
        {
          op: 'createTable',
          table: 'venues',
          comment: 'places',
          columns: [
            { name: 'id', type: 'bigint', primaryKey: true },
            { name: 'name', type: 'text', comment: 'display name' },
          ],
        },
      ],
      cat,
    );
    expect(planSql(plan).map((s) => s.sql)).toEqual([
      ['ALTER TABLE public.events ADD COLUMN venue text', `COMMENT ON COLUMN public.events.venue IS 'where'`],
      [
        'CREATE TABLE public.venues (id bigint NOT NULL, name text, PRIMARY KEY (id))',
        `COMMENT ON TABLE public.venues IS 'places'`,
        `COMMENT ON COLUMN public.venues.name IS 'display name'`,
      ],
    ]);
  });
});

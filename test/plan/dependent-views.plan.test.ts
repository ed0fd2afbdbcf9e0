import { beforeAll, describe, expect, it } from 'vitest';
import type { ColumnDependent } from '../../src/db/catalog.js';
import { loadParser } from '../../src/sql/parser.js';
import { column, fakeCatalog, table } from '../helpers/catalog-literal.js';
import { plan, planIssues, sqlById } from '../helpers/plans.js';

beforeAll(() => loadParser());

/** A view on public.members, as the catalog reads it (pg_get_viewdef under search_path = pg_catalog). */
function view(name: string, definition: string, columns: string[], options: string[] = []): ColumnDependent {
  return {
    column: 'city',
    kind: 'view',
    name: `public.${name}`,
    view: { schema: 'public', name, relkind: 'v', definition, columns, options },
  };
}

const members = (...dependents: ColumnDependent[]) =>
  fakeCatalog([
    table('members', [column('id', 'bigint', { notNull: true }), column('city', 'text'), column('code', 'text')], {
      dependents,
    }),
  ]);
const rename = [{ op: 'renameColumn', table: 'members', from: 'city', to: 'town' }];
const contractSql = (p: ReturnType<typeof plan>) => sqlById(p)['rename_column:public.members.city:contract:1']!;

describe('renameColumn recreates the views on the column at contract', () => {
  it('on the new column, with the same output names and options, views locked before the table', () => {
    const v1 = view(
      'member_cities',
      " SELECT id,\n    city\n   FROM public.members\n  WHERE (city <> 'x'::text);",
      ['id', 'city'],
      ['security_barrier=true', 'check_option=cascaded'],
    );
    const v2 = view(
      'city_pairs',
      ' SELECT m.city AS c, o.city AS d\n   FROM (public.members m\n JOIN public.other o ON ((o.id = m.id)));',
      ['c', 'd'],
    );
    const p = plan(rename, members(v1, v2));
    const sql = contractSql(p);
    expect(sql.slice(0, 3)).toEqual([
      'LOCK TABLE public.member_cities IN ACCESS EXCLUSIVE MODE',
      "SET LOCAL lock_timeout = '100ms'",
      'LOCK TABLE public.city_pairs IN ACCESS EXCLUSIVE MODE',
    ]);
    expect(sql).toContain(
      "CREATE OR REPLACE VIEW public.member_cities (id, city) WITH (security_barrier = 'true', check_option = 'cascaded') AS SELECT id, town FROM public.members WHERE town <> 'x'::text",
    );
    // Only the qualifier that stands for members is renamed: o.city is the other table's.
    expect(sql).toContain(
      'CREATE OR REPLACE VIEW public.city_pairs (c, d) AS SELECT m.town AS c, o.city AS d FROM public.members AS m JOIN public.other AS o ON o.id = m.id',
    );
    // Before the old column is dropped.
    const drop = sql.findIndex((s) => s.includes('DROP COLUMN city'));
    expect(sql.findIndex((s) => s.startsWith('CREATE OR REPLACE VIEW public.city_pairs'))).toBeLessThan(drop);
    const step = p.steps.find((s) => s.id === 'rename_column:public.members.city:contract:1')!;
    expect(step.description).toContain('view public.member_cities, view public.city_pairs recreated on town');
    expect(step.impact.locks).toContainEqual({
      relation: { schema: 'public', name: 'member_cities' },
      mode: 'ACCESS EXCLUSIVE',
    });
    expect(p.notes.some((n) => n.phase === 'contract' && n.text.includes('view public.member_cities'))).toBe(true);
  });

  it('a bare name in a query level over several relations, or a name for two relations, is refused with the reason', () => {
    const bare = view('bare', ' SELECT city\n   FROM public.members, public.other;', ['city']);
    const twice = view('twice', ' SELECT a.city FROM public.members a\nUNION\n SELECT a.city FROM public.other a;', [
      'city',
    ]);
    const natural = view('nat', ' SELECT m.city FROM (public.members m NATURAL JOIN public.other o);', ['city']);
    const messages = [bare, twice, natural].map((v) =>
      planIssues(rename, members(v))
        .map((i) => i.message)
        .join(),
    );
    expect(messages[0]).toMatch(/used by view public\.bare \(it names "city" without a table/);
    expect(messages[1]).toMatch(/used by view public\.twice \(the name "a" stands for more than one relation/);
    expect(messages[2]).toMatch(/used by view public\.nat \(it has a NATURAL join/);
  });

  it('a materialized view is copied at switch on the new column and takes its place at contract, indexes included', () => {
    const identity = (dependents: string[]) => ({
      owner: 'app',
      comment: 'totals',
      grants: [{ grantee: 'reader', privilege: 'SELECT', grantable: false }],
      columnGrants: [],
      columnComments: [],
      dependents,
      indexes: [
        {
          name: 'city_totals_key',
          definition: 'CREATE UNIQUE INDEX city_totals_key ON public.city_totals USING btree (city)',
        },
      ],
    });
    const mv = (dependents: string[] = []): ColumnDependent => ({
      ...view('city_totals', ' SELECT city, count(*) AS n FROM public.members GROUP BY city;', ['city', 'n']),
      view: {
        schema: 'public',
        name: 'city_totals',
        relkind: 'm',
        definition: ' SELECT city, count(*) AS n FROM public.members GROUP BY city;',
        columns: ['city', 'n'],
        options: ['fillfactor=70'],
        identity: identity(dependents),
        populated: true,
        estimatedRows: 1200,
      },
    });
    const p = plan(rename, members(mv()));
    const build = Object.entries(sqlById(p)).find(([, s]) => s.some((x) => x.includes('CREATE MATERIALIZED VIEW')))!;
    expect(build[0]).toMatch(/:switch:/);
    expect(build[1]).toEqual([
      'DROP MATERIALIZED VIEW IF EXISTS public.city_totals_zdm',
      "CREATE MATERIALIZED VIEW public.city_totals_zdm (city, n) WITH (fillfactor = '70') AS SELECT town, count(*) AS n FROM public.members GROUP BY town WITH DATA",
      'CREATE UNIQUE INDEX city_totals_key_zdm ON public.city_totals_zdm (city)',
      'ALTER MATERIALIZED VIEW public.city_totals_zdm OWNER TO app',
      'GRANT SELECT ON public.city_totals_zdm TO reader',
      "COMMENT ON MATERIALIZED VIEW public.city_totals_zdm IS 'totals'",
    ]);
    const sql = contractSql(p);
    // First (LOCK TABLE cannot lock a materialized view: its DROP takes the first lock), then the table's.
    expect(sql.slice(0, 4)).toEqual([
      'DROP MATERIALIZED VIEW public.city_totals',
      "SET LOCAL lock_timeout = '100ms'",
      'ALTER MATERIALIZED VIEW public.city_totals_zdm RENAME TO city_totals',
      'ALTER INDEX public.city_totals_key_zdm RENAME TO city_totals_key',
    ]);
    expect(
      p.notes.some((n) => n.text.includes('full recompute of each query: public.city_totals about 1200 rows')),
    ).toBe(true);
    // One with a view built on it is refused, naming what the swap would drop.
    expect(planIssues(rename, members(mv(['rule _RETURN on view public.v2'])))[0]!.message).toMatch(
      /used by view public\.city_totals \(replacing it by a copy on the new column would drop rule _RETURN on view public\.v2/,
    );
  });
});

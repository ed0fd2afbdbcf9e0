import { beforeAll, describe, expect, it } from 'vitest';
import type { ColumnDependent, StatisticsInfo } from '../../src/db/catalog.js';
import { loadParser } from '../../src/sql/parser.js';
import { column, fakeCatalog, table } from '../helpers/catalog-literal.js';
import { plan, planIssues, sqlById } from '../helpers/plans.js';

beforeAll(() => loadParser());

const stats = (name: string, definition: string, columns: string[], target: number | null = null): StatisticsInfo => ({
  schema: 'public',
  name,
  definition,
  columns,
  comment: null,
  target,
});
const parcels = (...statistics: StatisticsInfo[]) =>
  fakeCatalog([
    table('parcels', [column('id', 'bigint', { notNull: true }), column('weight', 'integer'), column('zone', 'text')], {
      statistics,
    }),
  ]);
const retype = [{ op: 'changeColumnType', table: 'parcels', column: 'weight', type: 'bigint' }];

describe('changeColumnType through a shadow column: statistics objects on the column', () => {
  it('are recreated at contract, after the old column is dropped, with their sample target', () => {
    const p = plan(
      retype,
      parcels(
        stats('ps', 'CREATE STATISTICS public.ps (ndistinct) ON weight, zone FROM parcels', ['weight', 'zone'], 300),
      ),
    );
    const sql = sqlById(p)['change_column_type:public.parcels.weight:contract:1']!;
    const drop = sql.findIndex((s) => s.includes('DROP COLUMN weight_zdm_old'));
    const create = sql.indexOf('CREATE STATISTICS public.ps (ndistinct) ON weight, zone FROM parcels');
    expect(drop).toBeGreaterThanOrEqual(0);
    expect(create).toBeGreaterThan(drop);
    expect(sql[create + 1]).toBe('ALTER STATISTICS public.ps SET STATISTICS 300');
    expect(p.notes.some((n) => n.phase === 'contract' && n.text.includes('statistics public.ps'))).toBe(true);
  });

  it('one with the column in an expression is refused at plan time, naming it', () => {
    const expr = stats('pe', 'CREATE STATISTICS public.pe ON (weight * 2), zone FROM parcels', ['weight', 'zone']);
    expect(
      planIssues(retype, parcels(expr))
        .map((i) => i.message)
        .join(),
    ).toMatch(/used in an expression of statistics object public\.pe/);
  });
});

const identity = (dependents: string[] = []) => ({
  owner: 'app',
  comment: null,
  grants: [{ grantee: 'reader', privilege: 'SELECT', grantable: false }],
  columnGrants: [],
  columnComments: [],
  dependents,
  indexes: [],
});
const viewOn = (name: string, relkind: 'v' | 'm', dependents: string[] = []) => ({
  column: 'weight',
  kind: 'view' as const,
  name: `public.${name}`,
  view: {
    schema: 'public',
    name,
    relkind,
    definition: ' SELECT id,\n    weight\n   FROM public.parcels;',
    columns: ['id', 'weight'],
    options: ['security_barrier=true'],
    identity: identity(dependents),
  },
});
const withViews = (...dependents: ColumnDependent[]) =>
  fakeCatalog([
    table('parcels', [column('id', 'bigint', { notNull: true }), column('weight', 'integer')], { dependents }),
  ]);

describe('changeColumnType through a shadow column: views on the column', () => {
  it('are dropped before the old column and created again after, with options, owner and grants', () => {
    const p = plan(retype, withViews(viewOn('pv', 'v')));
    const sql = sqlById(p)['change_column_type:public.parcels.weight:contract:1']!;
    const drop = sql.indexOf('DROP VIEW public.pv');
    const column = sql.findIndex((s) => s.includes('DROP COLUMN weight_zdm_old'));
    const create = sql.indexOf(
      "CREATE VIEW public.pv (id, weight) WITH (security_barrier = 'true') AS SELECT id,\n    weight\n   FROM public.parcels",
    );
    expect(sql[0]).toBe('LOCK TABLE public.pv IN ACCESS EXCLUSIVE MODE');
    expect(0 < drop && drop < column && column < create).toBe(true);
    expect(sql.slice(create + 1, create + 3)).toEqual([
      'ALTER VIEW public.pv OWNER TO app',
      'GRANT SELECT ON public.pv TO reader',
    ]);
    // The query is compiled on the new column in the swap, where a failure can still be rolled back.
    const swap = Object.entries(sqlById(p)).find(
      ([id, s]) => id.includes(':switch:') && s.some((x) => x.includes('zdm_old')),
    );
    expect(swap![1].some((s) => s.startsWith('CREATE TEMPORARY VIEW'))).toBe(true);
  });

  it('a view with others built on it is refused at plan time with the reason', () => {
    const messages = [viewOn('pv', 'v', ['rule _RETURN on view public.pv2']), viewOn('pm', 'm', ['x'])].map((v) =>
      planIssues(retype, withViews(v))
        .map((i) => i.message)
        .join(),
    );
    expect(messages[0]).toMatch(
      /used by view public\.pv \(recreating it .* would drop rule _RETURN on view public\.pv2/,
    );
    expect(messages[1]).toMatch(/used by view public\.pm \(replacing it by a copy on the new column would drop x/);
  });

  it('a materialized view is copied after the swap, reading the new column, and swapped in at contract', () => {
    const p = plan(retype, withViews(viewOn('pm', 'm')));
    const ids = Object.keys(sqlById(p));
    const swap = ids.findIndex((id) => id.includes(':switch:') && sqlById(p)[id]!.some((x) => x.includes('zdm_old')));
    const build = ids.findIndex((id) => sqlById(p)[id]!.some((x) => x.startsWith('CREATE MATERIALIZED VIEW')));
    expect(swap).toBeGreaterThanOrEqual(0);
    expect(build).toBe(swap + 1);
    expect(sqlById(p)[ids[build]!]![1]).toBe(
      "CREATE MATERIALIZED VIEW public.pm_zdm (id, weight) WITH (security_barrier = 'true') AS SELECT id,\n    weight\n   FROM public.parcels WITH DATA",
    );
    const sql = sqlById(p)['change_column_type:public.parcels.weight:contract:1']!;
    expect(sql.slice(0, 3)).toEqual([
      'DROP MATERIALIZED VIEW public.pm',
      "SET LOCAL lock_timeout = '100ms'",
      'ALTER MATERIALIZED VIEW public.pm_zdm RENAME TO pm',
    ]);
  });
});

describe('changeColumnType through a shadow column: views built on views on the column', () => {
  const onTop = (dependents: string[] = []) => ({
    schema: 'public',
    name: 'pv2',
    relkind: 'v' as const,
    definition: ' SELECT pv.weight * 2 AS twice\n   FROM public.pv;',
    columns: ['twice'],
    options: [],
    identity: { ...identity(dependents), owner: 'other' },
  });
  const chained = (top = onTop()) => {
    const v = viewOn('pv', 'v', ['rule _RETURN on view public.pv2']);
    return withViews({ ...v, view: { ...v.view, chain: [top] } });
  };

  it('are dropped from the top down before the old column and created again in build order, each probed in the swap', () => {
    const p = plan(retype, chained());
    const sql = sqlById(p)['change_column_type:public.parcels.weight:contract:1']!;
    const at = (s: string) => sql.findIndex((x) => x === s || x.startsWith(`${s} (`));
    const column = sql.findIndex((s) => s.includes('DROP COLUMN weight_zdm_old'));
    expect(at('DROP VIEW public.pv2') < at('DROP VIEW public.pv')).toBe(true);
    expect(at('DROP VIEW public.pv') < column).toBe(true);
    expect(column < at('CREATE VIEW public.pv') && at('CREATE VIEW public.pv') < at('CREATE VIEW public.pv2')).toBe(
      true,
    );
    expect(sql[at('CREATE VIEW public.pv2') + 1]).toBe('ALTER VIEW public.pv2 OWNER TO other');
    expect(sql.slice(0, 3)).toEqual([
      'LOCK TABLE public.pv IN ACCESS EXCLUSIVE MODE',
      "SET LOCAL lock_timeout = '100ms'",
      'LOCK TABLE public.pv2 IN ACCESS EXCLUSIVE MODE',
    ]);
    const swap = Object.values(sqlById(p)).find(
      (s) => s.some((x) => x.includes('zdm_old')) && s.some((x) => x.startsWith('CREATE TEMPORARY')),
    )!;
    expect(swap.filter((s) => s.includes('TEMPORARY VIEW') || s.startsWith('DROP VIEW pg_temp'))).toEqual([
      'CREATE TEMPORARY VIEW zdm_probe_pv AS SELECT id,\n    weight\n   FROM public.parcels',
      'CREATE TEMPORARY VIEW zdm_probe_pv2 AS SELECT pv.weight * 2 AS twice FROM pg_temp.zdm_probe_pv AS pv',
      'DROP VIEW pg_temp.zdm_probe_pv2',
      'DROP VIEW pg_temp.zdm_probe_pv',
    ]);
    expect(p.notes.some((n) => n.text.includes('view public.pv, view public.pv2: until contract'))).toBe(true);
  });

  it('one whose DROP would take more (a trigger on the view built on it) is refused, naming it', () => {
    const message = planIssues(retype, chained(onTop(['trigger t on view public.pv2'])))
      .map((i) => i.message)
      .join();
    expect(message).toMatch(
      /used by view public\.pv \(recreating it for the new column type would drop trigger t on view public\.pv2 with it/,
    );
  });
});

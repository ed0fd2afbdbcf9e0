import { beforeAll, describe, expect, it } from 'vitest';
import type { StatisticsInfo } from '../../src/db/catalog.js';
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

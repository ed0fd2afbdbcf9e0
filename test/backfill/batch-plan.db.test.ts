import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchSql } from '../../src/plan/backfill-sql.js';
import type { BackfillStep } from '../../src/plan/types.js';
import { currentPlan } from '../../src/runner/current-plan.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { withMigrations } from '../helpers/lifecycle.js';

/**
 * The planner's view of a batch on a composite key: Postgres estimates a row comparison
 * `(id, at) > (...)` from its first column alone and does not pair the two bounds as a range, so
 * without the leading column's own range a mid-table batch reads as a quarter of the table, one cost
 * step from a sequential scan per batch. With it, the estimate is the batch's size.
 */
let db: TestDatabase;
const ROWS = 200_000;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE readings (id bigint, at date, kind text, pad text, PRIMARY KEY (id, at));
    INSERT INTO readings SELECT g, date '2026-01-01' + g % 365, 'k' || g % 10, repeat('x', 80)
      FROM generate_series(1, ${ROWS}) g;
    ANALYZE readings`);
});
afterAll(async () => db?.drop());

describe('a batch of a composite-key table', () => {
  it('is estimated at about its own size in the middle of the table, and planned as an index scan', async () => {
    const migration = { operations: [{ op: 'renameColumn', table: 'readings', from: 'kind', to: 'category' }] };
    const step = await withMigrations(db, { '0001_readings.json': migration }, async (runner) => {
      const result = await currentPlan(runner);
      if (result.kind !== 'planned') throw new Error(`no plan: ${result.kind}`);
      return result.plan.steps.find((s): s is BackfillStep => s.kind === 'backfill')!;
    });
    expect(step.key.map((k) => k.name)).toEqual(['id', 'at']);
    await db.query(`ALTER TABLE readings ADD COLUMN category text`);
    const sql = batchSql(step, true);
    const [lo, hi] = [100_000, 102_000];
    const params = sql.updateParams([String(lo), (await dateOf(lo))!], [String(hi), (await dateOf(hi))!]);
    const [{ 'QUERY PLAN': explain }] = (await db.query(`EXPLAIN (FORMAT JSON) ${sql.update(true)}`, params)) as [
      { 'QUERY PLAN': { Plan: { Plans: { 'Node Type': string; 'Plan Rows': number }[] } }[] },
    ];
    const scan = explain[0]!.Plan.Plans[0]!;
    expect(scan['Node Type']).toBe('Index Scan');
    // 2,000 rows in the range: the estimate is within 10x of it, not a quarter of the table (50,000).
    expect(scan['Plan Rows']).toBeLessThan(20_000);
    expect(
      await db.query(
        `SELECT count(*)::int AS n FROM readings WHERE (id, at) > ($1::bigint, $2::date) AND (id, at) <= ($3::bigint, $4::date)`,
        params.slice(0, 4),
      ),
    ).toEqual([{ n: hi - lo }]);
  });
});

async function dateOf(id: number): Promise<string | undefined> {
  return (await db.query<{ at: string }>(`SELECT at::text FROM readings WHERE id = $1`, [id]))[0]?.at;
}

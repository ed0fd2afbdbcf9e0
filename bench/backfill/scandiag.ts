/**
 * Diagnostic (not part of `npm run bench`; findings in results/notes.md): how zdm's batch UPDATE
 * should reach its rows. Replays zdm's batch SQL (diag.ts) with the planner's index range scan on
 * the primary key and with index scans off (a bitmap heap scan), beside the bulk UPDATE, on fresh
 * clones, sides alternating; then EXPLAIN (ANALYZE, BUFFERS) of one batch in the middle of the
 * table in each form, in a transaction that is rolled back.
 *
 *   npx tsx bench/backfill/scandiag.ts   (ZDM_DIAG_ROWS=1000000, ZDM_DIAG_REPS=3, ZDM_DIAG_BATCH=25000)
 */
import pg from 'pg';
import { batchSql } from '../../src/plan/backfill-sql.js';
import type { BackfillStep, Plan } from '../../src/plan/types.js';
import { median } from '../report.js';
import { batchBreakdown } from './diag.js';
import { bulkUpdate, clone, dropDb, settle, startEnv } from './setup.js';

const ROWS = Number(process.env.ZDM_DIAG_ROWS ?? 1_000_000);
const REPS = Number(process.env.ZDM_DIAG_REPS ?? 3);
const BATCH = Number(process.env.ZDM_DIAG_BATCH ?? 25_000);

const env = await startEnv();
try {
  const rates: Record<string, number[]> = { bulk: [], index: [], bitmap: [] };
  for (let rep = 1; rep <= REPS; rep++) {
    const order = rep % 2 ? (['bulk', 'index', 'bitmap'] as const) : (['bitmap', 'index', 'bulk'] as const);
    for (const side of order) {
      const url = await clone(env, ROWS, 'scandiag');
      await settle(env);
      let rate: number;
      if (side === 'bulk') rate = ROWS / ((await bulkUpdate(url)) / 1000);
      else {
        const b = await batchBreakdown(url, BATCH, side);
        rate = b.rowsPerSecond;
        console.log(
          `rep ${rep} ${side}: ${Math.round(rate)} rows/s (update ${Math.round(b.updateMs)} ms, bound ${Math.round(b.boundMs)} ms, commit ${Math.round(b.commitMs)} ms, ${b.batches} batches)`,
        );
      }
      if (side === 'bulk') console.log(`rep ${rep} bulk: ${Math.round(rate)} rows/s`);
      rates[side]!.push(rate);
      await dropDb(env, 'scandiag');
    }
  }
  console.log(
    `\nmedians: bulk ${Math.round(median(rates.bulk!))}, index ${Math.round(median(rates.index!))} (${(median(rates.index!) / median(rates.bulk!)).toFixed(2)}x bulk), bitmap ${Math.round(median(rates.bitmap!))} (${(median(rates.bitmap!) / median(rates.bulk!)).toFixed(2)}x bulk)`,
  );

  const url = await clone(env, ROWS, 'scandiag');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ plan: Plan }>(`SELECT plan FROM zdm.migrations WHERE status = 'active'`);
  const step = rows[0]!.plan.steps.find((s) => s.kind === 'backfill') as BackfillStep;
  const sql = batchSql(step, true);
  const lo = String(Math.floor(ROWS / 2));
  const hi = String(Math.floor(ROWS / 2) + BATCH);
  for (const side of ['index', 'bitmap'] as const) {
    await c.query('BEGIN');
    await c.query(`SELECT set_config('zdm.backfill', 'on', true)`);
    if (side === 'bitmap') await c.query(`SET LOCAL enable_indexscan = off`);
    const plan = await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql.update(true)}`, [lo, hi]);
    console.log(`\n${side}:\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}`);
    await c.query('ROLLBACK');
  }
  await c.end();
  await dropDb(env, 'scandiag');
} finally {
  await env.close();
}

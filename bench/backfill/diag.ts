/**
 * Where a backfill batch's time goes: replays zdm's own batch SQL (src/plan/backfill-sql.ts, with the
 * backfill step recorded in the clone's zdm.migrations.plan) at a fixed batch size, timing the
 * bound query, the UPDATE and the COMMIT separately. The cursor row zdm writes in each batch is
 * left out (one small row). Diagnostic only: not zdm's runner.
 */
import pg from 'pg';
import { batchSql } from '../../src/plan/backfill-sql.js';
import type { BackfillStep, Plan } from '../../src/plan/types.js';

export interface BatchBreakdown {
  size: number;
  batches: number;
  totalMs: number;
  boundMs: number;
  updateMs: number;
  commitMs: number;
  rowsPerSecond: number;
  updatePlan: string;
}

/** `scan: 'bitmap'` turns index scans off for the UPDATE (SET LOCAL enable_indexscan = off), as scandiag.ts compares. */
export async function batchBreakdown(
  url: string,
  size: number,
  scan: 'index' | 'bitmap' = 'index',
): Promise<BatchBreakdown> {
  const c = new pg.Client({ connectionString: url, application_name: 'bench diag' });
  await c.connect();
  try {
    const { rows } = await c.query<{ plan: Plan }>(`SELECT plan FROM zdm.migrations WHERE status = 'active'`);
    const step = rows[0]!.plan.steps.find((s) => s.kind === 'backfill') as BackfillStep;
    const out: BatchBreakdown = {
      size,
      batches: 0,
      totalMs: 0,
      boundMs: 0,
      updateMs: 0,
      commitMs: 0,
      rowsPerSecond: 0,
      updatePlan: '',
    };
    let cursor: string[] | null = null;
    let updated = 0;
    const started = performance.now();
    for (;;) {
      const sql = batchSql(step, cursor !== null);
      const lower: string[] = cursor ?? [];
      await c.query(`BEGIN`);
      await c.query(`SELECT set_config('zdm.backfill', 'on', true)`);
      let t = performance.now();
      const bound: pg.QueryResult<Record<string, string>> = await c.query<Record<string, string>>(sql.bound, [
        ...lower,
        size - 1,
      ]);
      out.boundMs += performance.now() - t;
      const hi: string[] | null = bound.rows[0] ? step.key.map((_, i) => bound.rows[0]![`k${i}`]!) : null;
      if (out.batches === 1) {
        const plan = await c.query(`EXPLAIN ${sql.update(hi !== null)}`, [...lower, ...(hi ?? [])]);
        out.updatePlan = plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join(' / ');
      }
      if (scan === 'bitmap') await c.query(`SET LOCAL enable_indexscan = off`);
      t = performance.now();
      const u = await c.query(sql.update(hi !== null), [...lower, ...(hi ?? [])]);
      out.updateMs += performance.now() - t;
      updated += u.rowCount ?? 0;
      t = performance.now();
      await c.query('COMMIT');
      out.commitMs += performance.now() - t;
      out.batches += 1;
      if (hi === null) break;
      cursor = hi;
    }
    out.totalMs = performance.now() - started;
    out.rowsPerSecond = updated / (out.totalMs / 1000);
    return out;
  } finally {
    await c.end();
  }
}

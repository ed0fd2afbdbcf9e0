/**
 * Diagnostic for the ETA (not part of `npm run bench`; findings in results/notes.md): why an unthrottled backfill's rate falls
 * partway through. Runs the same unthrottled zdm backfill with the table's autovacuum on (the
 * default) and off, and prints its rate every 2 s beside what ran next to it: autovacuum workers on
 * the table, checkpoints, and the primary's dirty share of the OS page cache.
 *
 *   npx tsx bench/backfill/ratediag.ts   (ZDM_DIAG_ROWS=3000000)
 */
import pg from 'pg';
import { advance } from '../../src/runner/advance.js';
import { checkpoints, clone, dirtyMB, dropDb, runnerFor, settle, startEnv, TABLE, UNTHROTTLED } from './setup.js';

const ROWS = Number(process.env.ZDM_DIAG_ROWS ?? 3_000_000);

const env = await startEnv();
try {
  for (const autovacuum of [true, false]) {
    const url = await clone(env, ROWS, 'ratediag');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    if (!autovacuum) await client.query(`ALTER TABLE ${TABLE} SET (autovacuum_enabled = off)`);
    await settle(env);
    let rows = 0;
    const runner = runnerFor(url, env.migrationsDir, UNTHROTTLED, (e) => {
      if (e.type === 'backfill-progress') rows = e.progress.rowsScanned;
    });
    const lines: string[] = [];
    const t0 = performance.now();
    let last = { t: 0, rows: 0 };
    let sampling = true;
    let avSeen = 0;
    const cp0 = await checkpoints(env);
    const sampler = (async () => {
      while (sampling) {
        await new Promise((r) => setTimeout(r, 250));
        const { rows: av } = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND query ILIKE '%${TABLE}%'`,
        );
        avSeen += av[0]!.n;
        const t = (performance.now() - t0) / 1000;
        if (t - last.t >= 2) {
          const cp = await checkpoints(env);
          lines.push(
            `${t.toFixed(0).padStart(4)} s ${((rows - last.rows) / (t - last.t) / 1000).toFixed(0).padStart(4)}k rows/s  autovacuum ${avSeen > 0 ? 'yes' : 'no '}  checkpoints +${cp.requested - cp0.requested}r/+${cp.timed - cp0.timed}t  dirty ${dirtyMB().toFixed(0)} MB`,
          );
          last = { t, rows };
          avSeen = 0;
        }
      }
    })();
    await advance(runner, { until: 'backfill' });
    sampling = false;
    await sampler;
    await runner.conn.close();
    console.log(
      `\n${ROWS} rows, table autovacuum ${autovacuum ? 'on' : 'off'}: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(lines.join('\n'));
    await client.end();
    await dropDb(env, 'ratediag');
  }
} finally {
  await env.close();
}

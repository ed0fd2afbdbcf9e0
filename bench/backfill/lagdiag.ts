/**
 * Diagnostic for the byte-lag bound (not part of `npm run bench`): one zdm backfill under
 * --max-lag-bytes with a replica whose replay is paused in cycles, and where its WAL came from:
 * a timeline of zdm's batches and pauses beside the bench's lag samples, and pg_waldump's view of
 * the run's WAL split by writer (the backfill's transactions vs records with no transaction id:
 * pruning, vacuum, full-page images of hint bits).
 *
 *   npx tsx bench/backfill/lagdiag.ts   (ZDM_DIAG_ROWS=1000000 ZDM_DIAG_LIMIT_MB=16)
 */
import pg from 'pg';
import { advance } from '../../src/runner/advance.js';
import { prepareHeartbeat, startLagMonitor, startPauseCycler } from './lag.js';
import { clone, runnerFor, settle, startEnv, waitReplicaCaughtUp } from './setup.js';

const ROWS = Number(process.env.ZDM_DIAG_ROWS ?? 1_000_000);
const LIMIT = Number(process.env.ZDM_DIAG_LIMIT_MB ?? 16) * 1048576;
const MB = (b: number) => (b / 1048576).toFixed(1);

const env = await startEnv();
try {
  const url = await clone(env, ROWS, 'diag');
  await settle(env);
  await prepareHeartbeat(env);
  const monitor = await startLagMonitor(env);
  const cycler = await startPauseCycler(env, 1500, 3000);
  const primary = new pg.Client({ connectionString: url });
  await primary.connect();
  const lsn = async () =>
    (await primary.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0]!.l;
  await new Promise((r) => setTimeout(r, 3000));
  const t0 = performance.now();
  const start = await lsn();
  const events: string[] = [];
  const runner = runnerFor(
    url,
    env.migrationsDir,
    { maxLagMs: 3_600_000, maxLagBytes: LIMIT, replicas: [env.cluster.replica!.url('diag')] },
    (e) => {
      const t = ((performance.now() - t0) / 1000).toFixed(2);
      if (e.type === 'backfill-progress' && e.progress.paused === null && e.progress.lastBatchMs > 0)
        events.push(
          `${t} batch size ${e.progress.batchSize} ${e.progress.lastBatchMs.toFixed(0)} ms lag ${JSON.stringify(e.progress.lag)}`,
        );
      if (e.type === 'backfill-pause' && e.waitedMs === 0) events.push(`${t} PAUSE ${e.reason}`);
    },
  );
  // Autovacuum and WAL position, sampled beside the run.
  const av: string[] = [];
  let sampling = true;
  const sampler = (async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    while (sampling) {
      const r = await c.query<{ l: string; v: string | null }>(
        `SELECT pg_current_wal_insert_lsn()::text AS l, (SELECT string_agg(phase || ' ' || heap_blks_scanned || '/' || heap_blks_total, ',') FROM pg_stat_progress_vacuum) AS v`,
      );
      av.push(`${((performance.now() - t0) / 1000).toFixed(2)} lsn ${r.rows[0]!.l} vacuum ${r.rows[0]!.v ?? '-'}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    await c.end();
  })();
  try {
    const result = await advance(runner, { until: 'backfill' });
    events.push(`result ${result.kind}`);
  } finally {
    await runner.conn.close();
  }
  const end = await lsn();
  await waitReplicaCaughtUp(env);
  sampling = false;
  await sampler;
  await cycler.stop();
  await monitor.stop();
  await primary.end();
  const over = monitor.samples.filter((s) => s.t >= t0 && s.bytes > LIMIT);
  console.log(
    `run WAL ${start}..${end}; peak ${MB(Math.max(...monitor.samples.filter((s) => s.t >= t0).map((s) => s.bytes)))} MiB; ${over.length} samples over the limit`,
  );
  for (const s of over) console.log(`  over at ${((s.t - t0) / 1000).toFixed(2)}: ${MB(s.bytes)} MiB`);
  console.log(events.join('\n'));
  console.log(
    av
      .filter((l) => !l.endsWith('vacuum -'))
      .slice(0, 40)
      .join('\n'),
  );
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('CREATE EXTENSION IF NOT EXISTS pg_walinspect');
  const { rows } = await c.query<{ k: string; bytes: string; n: string }>(
    `SELECT CASE WHEN xid::text = '0' THEN 'no-xid' ELSE 'xact' END || ' ' || resource_manager || ' ' || record_type || CASE WHEN fpi_length > 0 THEN ' +FPI' ELSE '' END AS k,
            sum(record_length)::int8 AS bytes, count(*)::int8 AS n
       FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn) GROUP BY 1 ORDER BY 2 DESC LIMIT 25`,
    [start, end],
  );
  await c.end();
  const total = rows.reduce((a, r) => a + Number(r.bytes), 0);
  console.log(`WAL by writer/record (top 25, ${MB(total)} MiB):`);
  for (const r of rows) console.log(`  ${MB(Number(r.bytes)).padStart(8)} MiB  ${String(r.n).padStart(8)}  ${r.k}`);
} catch (err) {
  console.error('diag failed:', err);
} finally {
  await env.close();
}

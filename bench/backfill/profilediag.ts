/**
 * Diagnostic for the ETA (not part of `npm run bench`; findings in results/notes.md): does the
 * bulk UPDATE slow down partway through the way zdm's unthrottled backfill does? Neither side's
 * rows can be counted while a single UPDATE runs, so both are profiled the same way: the primary's
 * WAL written per second (pg_current_wal_insert_lsn), beside the OS's dirty pages and the pages
 * written back (/proc/vmstat nr_written) and the CPU time stolen by the hypervisor (/proc/stat) in each second. Sides alternate, each on a fresh clone after
 * the replica caught up and a CHECKPOINT, as in the throughput part.
 *
 *   npx tsx bench/backfill/profilediag.ts   (ZDM_DIAG_ROWS=3000000, ZDM_DIAG_REPS=1)
 */
import { readFileSync } from 'node:fs';
import {
  bulkUpdate,
  clone,
  cpuTimes,
  dirtyMB,
  dropDb,
  settle,
  startEnv,
  stealPercent,
  UNTHROTTLED,
  zdmBackfill,
  type Env,
} from './setup.js';

const ROWS = Number(process.env.ZDM_DIAG_ROWS ?? 3_000_000);
const REPS = Number(process.env.ZDM_DIAG_REPS ?? 1);
/** Pages the OS has written back since boot (/proc/vmstat nr_written), in MB. */
const writtenBackMB = () =>
  (Number(/^nr_written (\d+)/m.exec(readFileSync('/proc/vmstat', 'utf8'))?.[1] ?? 0) * 4) / 1024;

interface Sample {
  t: number;
  walMB: number;
  dirtyMB: number;
  writtenMB: number;
  stealPct: number;
}

/** Samples once a second until `stop` resolves; returns per-second deltas. */
async function profile(env: Env, work: Promise<unknown>): Promise<Sample[]> {
  const lsn = async () => {
    const { rows } = await env.admin.query<{ b: string }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS b`,
    );
    return Number(rows[0]!.b) / 1048576;
  };
  const out: Sample[] = [];
  const t0 = performance.now();
  let last = { t: 0, wal: await lsn(), written: writtenBackMB(), cpu: cpuTimes() };
  let running = true;
  void work.finally(() => (running = false)).catch(() => undefined);
  while (running) {
    await new Promise((r) => setTimeout(r, 1000));
    const t = (performance.now() - t0) / 1000;
    const wal = await lsn();
    const written = writtenBackMB();
    const cpu = cpuTimes();
    out.push({
      t,
      walMB: (wal - last.wal) / (t - last.t),
      dirtyMB: dirtyMB(),
      writtenMB: (written - last.written) / (t - last.t),
      stealPct: stealPercent(last.cpu, cpu),
    });
    last = { t, wal, written, cpu };
  }
  await work;
  return out;
}

function show(name: string, seconds: number, samples: Sample[]): void {
  console.log(`\n${name}: ${seconds.toFixed(1)} s, ${(ROWS / seconds / 1000).toFixed(0)}k rows/s`);
  console.log('   s  WAL MB/s  dirty MB  written-back MB/s  CPU steal %');
  for (const s of samples)
    console.log(
      `${s.t.toFixed(0).padStart(4)}  ${s.walMB.toFixed(1).padStart(8)}  ${s.dirtyMB.toFixed(0).padStart(8)}  ${s.writtenMB.toFixed(1).padStart(17)}  ${s.stealPct.toFixed(1).padStart(11)}`,
    );
}

const env = await startEnv();
try {
  for (let rep = 1; rep <= REPS; rep++) {
    for (const side of ['bulk', 'zdm'] as const) {
      const url = await clone(env, ROWS, 'profilediag');
      await settle(env);
      const started = performance.now();
      const work = side === 'bulk' ? bulkUpdate(url) : zdmBackfill(env, url, UNTHROTTLED);
      const samples = await profile(env, work);
      show(`${side} (rep ${rep})`, (performance.now() - started) / 1000, samples);
      await dropDb(env, 'profilediag');
    }
  }
} finally {
  await env.close();
}

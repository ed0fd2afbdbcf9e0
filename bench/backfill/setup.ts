/**
 * Shared setup of the backfill benchmarks: one embedded primary + streaming replica, a template
 * database per table size (rows generated with one INSERT ... SELECT generate_series, VACUUM
 * ANALYZE, then zdm's expand of a renameColumn: new column, NOT VALID check, sync trigger), and
 * clones of it (CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY), so that the zdm side and
 * the bulk-UPDATE side of every comparison start from byte-identical tables.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import pg from 'pg';
import { connect } from '../../src/db/connect.js';
import { startCluster, type Cluster } from '../../src/embedded/cluster.js';
import { RATE_WINDOW_MS } from '../../src/backfill/rate.js';
import { advance } from '../../src/runner/advance.js';
import { createRunnerContext, type RunnerContext, type SafetySettings } from '../../src/exec/context.js';
import type { RunnerEvent } from '../../src/exec/events.js';

export const TABLE = 'items';
/** The migration every part uses: a rename, whose backfill copies qty into quantity. */
export const MIGRATION = { operations: [{ op: 'renameColumn', table: TABLE, from: 'qty', to: 'quantity' }] };
/** The bulk UPDATE of the twin: the same assignment as zdm's backfill, the trigger skipped the same way. */
export const BULK_SQL = `UPDATE ${TABLE} SET quantity = qty`;

/** Server settings for the benchmark cluster (both servers); reported with the figures. */
export const SERVER_SETTINGS: Record<string, string> = {
  shared_buffers: "'256MB'",
  max_wal_size: "'4GB'",
};

export function log(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export interface Env {
  cluster: Cluster;
  admin: pg.Client;
  migrationsDir: string;
  pgVersion: string;
  /** Template databases already built, by row count. */
  templates: Map<number, string>;
  close(): Promise<void>;
}

export async function startEnv(): Promise<Env> {
  const cluster = await startCluster({ settings: SERVER_SETTINGS });
  const admin = new pg.Client({ connectionString: cluster.primary.url() });
  await admin.connect();
  const migrationsDir = await mkdtemp(path.join(cluster.dir, 'migrations-'));
  await writeFile(path.join(migrationsDir, '0001_rename_qty.json'), JSON.stringify(MIGRATION));
  const { rows } = await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  const templates = new Map<number, string>();
  return {
    cluster,
    admin,
    migrationsDir,
    pgVersion: rows[0]!.v,
    templates,
    async close() {
      await admin.end().catch(() => undefined);
      await cluster.stop();
    },
  };
}

export function runnerFor(
  url: string,
  migrationsDir: string,
  overrides: Partial<SafetySettings> = {},
  emit: (e: RunnerEvent) => void = () => undefined,
): RunnerContext {
  return createRunnerContext(connect(url, 'zdm bench'), {
    migrationsDir,
    settings: { gateTimeoutMs: 600_000, ...overrides },
    log: pino({ level: 'warn' }),
    emit,
  });
}

/** The template for `rows` rows, after zdm's expand (built once per size). */
export async function template(env: Env, rows: number): Promise<string> {
  const existing = env.templates.get(rows);
  if (existing) return existing;
  const db = `tpl_${rows}`;
  const started = performance.now();
  await env.admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await env.admin.query(`CREATE DATABASE ${db}`);
  const url = env.cluster.primary.url(db);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `CREATE TABLE ${TABLE} (id bigserial PRIMARY KEY, qty int NOT NULL, note text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    await client.query(
      `INSERT INTO ${TABLE} (qty, note) SELECT (g % 1000)::int, 'note for item ' || g FROM generate_series(1, $1::int) g`,
      [rows],
    );
    await client.query(`VACUUM ANALYZE ${TABLE}`);
  } finally {
    await client.end();
  }
  const runner = runnerFor(url, env.migrationsDir);
  try {
    const result = await advance(runner, { until: 'expand' });
    if (result.kind !== 'advanced') throw new Error(`expand of the template did not run: ${JSON.stringify(result)}`);
  } finally {
    await runner.conn.close();
  }
  env.templates.set(rows, db);
  log(
    `template ${db}: ${rows} rows generated, vacuumed, expanded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return db;
}

export async function dropTemplate(env: Env, rows: number): Promise<void> {
  const db = env.templates.get(rows);
  if (!db) return;
  await env.admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  env.templates.delete(rows);
}

/** A fresh copy of the template for `rows` rows; returns its URL. */
export async function clone(env: Env, rows: number, name: string): Promise<string> {
  const tpl = await template(env, rows);
  await env.admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await env.admin.query(`CREATE DATABASE ${name} TEMPLATE ${tpl} STRATEGY FILE_COPY`);
  return env.cluster.primary.url(name);
}

export async function dropDb(env: Env, name: string): Promise<void> {
  await env.admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Waits until the replica has replayed everything the primary has written so far. */
export async function waitReplicaCaughtUp(env: Env, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const { rows } = await env.admin.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`);
  for (;;) {
    const r = await env.admin.query<{ ok: boolean }>(
      `SELECT coalesce(bool_and(replay_lsn >= $1::pg_lsn), true) AS ok FROM pg_stat_replication`,
      [rows[0]!.lsn],
    );
    if (r.rows[0]!.ok) return;
    if (Date.now() > deadline) throw new Error('replica did not catch up');
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** CHECKPOINT after the replica caught up, so every timed run starts from the same I/O state. */
export async function settle(env: Env): Promise<void> {
  await waitReplicaCaughtUp(env);
  await env.admin.query('CHECKPOINT');
}

export interface ZdmBackfillResult {
  /** The backfill step's own time (the phase gate and bookkeeping excluded). */
  stepMs: number;
  /** `advance --until backfill` as a whole. */
  advanceMs: number;
  batches: number;
  /** Sum of per-batch wall times (bound query + UPDATE + cursor row + commit). */
  batchMsSum: number;
  batchSizes: number[];
  pauses: number;
  pausedMs: number;
  pauseReasons: string[];
  result: string;
  /** The ETA zdm showed as the backfill passed 10, 25, 50, 75 and 90% of the rows, beside the time it actually took. */
  eta: EtaCheck[];
  /** Progress over time, one point per ~0.5 s, for studying the ETA. */
  series: SeriesPoint[];
}

/**
 * s since the first progress event, rows scanned, zdm's ETA s, and (runs since 2026-11-23 22:40
 * UTC) the largest replica byte lag zdm read, and (since 2026-11-24 00:30 UTC) the machine's CPU
 * steal since the previous point, in % of its CPU time.
 */
export type SeriesPoint = [number, number, number | null, number?, number?];

/** The machine's CPU time from /proc/stat, in jiffies: steal is time the hypervisor ran other guests on our CPUs. */
export function cpuTimes(): { steal: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  return { steal: fields[7] ?? 0, total: fields.reduce((a, b) => a + b, 0) };
}

/** The OS's dirty page cache, in MB (/proc/meminfo Dirty). */
export function dirtyMB(): number {
  return Number(/^Dirty:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024;
}

/** Settings under which no replica ever pauses a backfill: the speed of the backfill alone. */
export const UNTHROTTLED = { maxLagMs: 3_600_000, maxLagBytes: 1e15 };

/** Steal in % of the CPU time between two cpuTimes() readings. */
export function stealPercent(from: { steal: number; total: number }, to: { steal: number; total: number }): number {
  const total = to.total - from.total;
  return total > 0 ? Math.round(((to.steal - from.steal) / total) * 1000) / 10 : 0;
}

export interface EtaCheck {
  /** Share of the estimated rows done when the ETA was read. */
  fraction: number;
  /** zdm's etaSeconds at that point. */
  predictedS: number;
  /** Seconds from that point to the backfill's last batch. */
  actualS: number;
  /** predicted / actual - 1. */
  error: number;
  /** The rate window behind zdm's ETA in the code that ran (RATE_WINDOW_MS); absent: 5 s. */
  windowS?: number;
}

/** The shares of the rows at which each run's ETA is read. */
export const ETA_POINTS = [0.1, 0.25, 0.5, 0.75, 0.9];

/** The first progress event past each point that has an ETA, against the time of the final (done) event. */
export function etaChecks(samples: { t: number; fraction: number; eta: number | null }[], endT: number): EtaCheck[] {
  const out: EtaCheck[] = [];
  for (const point of ETA_POINTS) {
    const s = samples.find((x) => x.fraction >= point && x.eta !== null);
    if (!s) continue;
    const actualS = (endT - s.t) / 1000;
    out.push({
      fraction: point,
      predictedS: s.eta!,
      actualS,
      error: actualS > 0 ? s.eta! / actualS - 1 : 0,
      windowS: RATE_WINDOW_MS / 1000,
    });
  }
  return out;
}

/** Runs the backfill phase of the cloned database through zdm's library runner. */
export async function zdmBackfill(
  env: Env,
  url: string,
  overrides: Partial<SafetySettings> = {},
): Promise<ZdmBackfillResult> {
  const out: ZdmBackfillResult = {
    stepMs: 0,
    advanceMs: 0,
    batches: 0,
    batchMsSum: 0,
    batchSizes: [],
    pauses: 0,
    pausedMs: 0,
    pauseReasons: [],
    result: '',
    eta: [],
    series: [],
  };
  let pauseStart: number | undefined;
  const progress: { t: number; fraction: number; eta: number | null; rows: number }[] = [];
  let doneAt: number | undefined;
  let lastCpu = cpuTimes();
  const runner = runnerFor(url, env.migrationsDir, overrides, (e) => {
    if (e.type === 'step-done' && e.stepId.startsWith('backfill:')) out.stepMs = e.ms;
    if (e.type === 'backfill-progress') {
      const p = e.progress;
      if (p.done) doneAt ??= performance.now();
      else {
        const t = performance.now();
        progress.push({
          t,
          fraction: p.totalEstimate > 0 ? p.rowsScanned / p.totalEstimate : 0,
          eta: p.etaSeconds,
          rows: p.rowsScanned,
        });
        const t0 = progress[0]!.t;
        const last = out.series.at(-1);
        if (!last || (t - t0) / 1000 - last[0] >= 0.5) {
          const cpu = cpuTimes();
          out.series.push([
            Math.round(t - t0) / 1000,
            p.rowsScanned,
            p.etaSeconds === null ? null : Math.round(p.etaSeconds * 10) / 10,
            Math.max(0, ...p.lag.map((l) => l.bytes ?? 0)),
            stealPercent(lastCpu, cpu),
          ]);
          lastCpu = cpu;
        }
      }
      if (e.progress.paused === null && e.progress.lastBatchMs > 0) {
        out.batches += 1;
        out.batchMsSum += e.progress.lastBatchMs;
        out.batchSizes.push(e.progress.batchSize);
        if (pauseStart !== undefined) {
          out.pausedMs += Date.now() - pauseStart;
          pauseStart = undefined;
        }
      }
    }
    if (e.type === 'backfill-pause') {
      if (pauseStart === undefined) {
        pauseStart = Date.now();
        out.pauses += 1;
        if (out.pauseReasons.length < 5 && !out.pauseReasons.includes(e.reason)) out.pauseReasons.push(e.reason);
      }
    }
  });
  const started = performance.now();
  try {
    const result = await advance(runner, { until: 'backfill' });
    out.result = result.kind;
  } finally {
    out.advanceMs = performance.now() - started;
    await runner.conn.close();
  }
  if (doneAt !== undefined) {
    out.eta = etaChecks(progress, doneAt);
    if (progress.length) out.series.push([Math.round(doneAt - progress[0]!.t) / 1000, progress.at(-1)!.rows, 0]);
  }
  return out;
}

/** One bulk UPDATE of every row, skipping the sync trigger the way zdm's backfill does. */
export async function bulkUpdate(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench bulk' });
  await client.connect();
  try {
    const started = performance.now();
    await client.query('BEGIN');
    await client.query(`SET LOCAL zdm.backfill = 'on'`);
    await client.query(BULK_SQL);
    await client.query('COMMIT');
    return performance.now() - started;
  } finally {
    await client.end();
  }
}

export async function tableStats(
  url: string,
): Promise<{ autovacuums: number; autoanalyzes: number; deadTuples: number; heapMB: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT autovacuum_count::int AS autovacuums, autoanalyze_count::int AS autoanalyzes, n_dead_tup::int8 AS dead, pg_relation_size(relid)::float8 / 1048576 AS mb
         FROM pg_stat_user_tables WHERE relname = $1`,
      [TABLE],
    );
    const r = rows[0] ?? {};
    return {
      autovacuums: r.autovacuums ?? 0,
      autoanalyzes: r.autoanalyzes ?? 0,
      deadTuples: Number(r.dead ?? 0),
      heapMB: r.mb ?? 0,
    };
  } finally {
    await client.end();
  }
}

/** Checkpoints requested/timed since the server started (PG17+: pg_stat_checkpointer). */
export async function checkpoints(env: Env): Promise<{ timed: number; requested: number }> {
  const { rows } = await env.admin.query(
    `SELECT num_timed::int AS timed, num_requested::int AS requested FROM pg_stat_checkpointer`,
  );
  return rows[0] as { timed: number; requested: number };
}

export async function walLsn(env: Env): Promise<string> {
  const { rows } = await env.admin.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`);
  return rows[0]!.lsn;
}

export async function walBytesSince(env: Env, lsn: string): Promise<number> {
  const { rows } = await env.admin.query<{ b: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS b`,
    [lsn],
  );
  return Number(rows[0]!.b);
}

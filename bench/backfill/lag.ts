/**
 * Replica lag measured by the benchmark itself, independent of zdm's probes:
 * - seconds: a heartbeat row the bench updates on the primary every `heartbeatMs`
 *   (`ts = clock_timestamp()`, database bench_meta) and reads on the replica:
 *   lag = replica's clock_timestamp() - ts (same host, same clock). Resolution: the write interval;
 * - bytes: the replica's pg_last_wal_replay_lsn() read first, then the primary's
 *   pg_current_wal_lsn(); their difference (read in that order, so it errs high);
 * - also pg_stat_replication.replay_lag as the primary reports it (for comparison only).
 * And the slow replica: cycles of pg_wal_replay_pause() / pg_wal_replay_resume() on it.
 */
import pg from 'pg';
import type { Env } from './setup.js';

export interface LagSample {
  t: number;
  hbSeconds: number;
  bytes: number;
  replayLag: number | null;
}

function lsnToNumber(lsn: string): number {
  const [hi, lo] = lsn.split('/');
  return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
}

export async function prepareHeartbeat(env: Env): Promise<void> {
  await env.admin.query('DROP DATABASE IF EXISTS bench_meta WITH (FORCE)');
  await env.admin.query('CREATE DATABASE bench_meta');
  const c = new pg.Client({ connectionString: env.cluster.primary.url('bench_meta') });
  await c.connect();
  await c.query('CREATE TABLE hb (id int PRIMARY KEY, ts timestamptz NOT NULL)');
  await c.query('INSERT INTO hb VALUES (1, clock_timestamp())');
  await c.end();
}

export interface LagMonitor {
  samples: LagSample[];
  stop(): Promise<void>;
}

export async function startLagMonitor(env: Env, heartbeatMs = 50, sampleMs = 50): Promise<LagMonitor> {
  const replica = env.cluster.replica!;
  const writer = new pg.Client({
    connectionString: env.cluster.primary.url('bench_meta'),
    application_name: 'bench heartbeat',
  });
  const primary = new pg.Client({
    connectionString: env.cluster.primary.url('bench_meta'),
    application_name: 'bench lag sampler',
  });
  const reader = new pg.Client({ connectionString: replica.url('bench_meta'), application_name: 'bench lag sampler' });
  await Promise.all([writer.connect(), primary.connect(), reader.connect()]);
  // The replica may not have the bench_meta database yet.
  for (let i = 0; i < 100; i++) {
    const r = await reader.query(`SELECT to_regclass('hb') IS NOT NULL AS ok`).catch(() => ({ rows: [{ ok: false }] }));
    if (r.rows[0].ok) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const samples: LagSample[] = [];
  let running = true;
  const beat = (async () => {
    while (running) {
      const t = performance.now();
      await writer.query('UPDATE hb SET ts = clock_timestamp() WHERE id = 1');
      const wait = heartbeatMs - (performance.now() - t);
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  })();
  const sample = (async () => {
    while (running) {
      const t = performance.now();
      const r = await reader.query<{ lag: number; lsn: string }>(
        `SELECT extract(epoch FROM clock_timestamp() - ts)::float8 AS lag, pg_last_wal_replay_lsn()::text AS lsn FROM hb WHERE id = 1`,
      );
      const p = await primary.query<{ lsn: string; replay_lag: number | null }>(
        `SELECT pg_current_wal_lsn()::text AS lsn, (SELECT extract(epoch FROM replay_lag)::float8 FROM pg_stat_replication LIMIT 1) AS replay_lag`,
      );
      samples.push({
        t,
        hbSeconds: r.rows[0]!.lag,
        bytes: Math.max(0, lsnToNumber(p.rows[0]!.lsn) - lsnToNumber(r.rows[0]!.lsn)),
        replayLag: p.rows[0]!.replay_lag,
      });
      const wait = sampleMs - (performance.now() - t);
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
    }
  })();
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all([beat, sample]);
      await Promise.all([writer.end(), primary.end(), reader.end()]);
    },
  };
}

export interface PauseCycler {
  stop(): Promise<void>;
  cycles: number;
}

/** Pauses WAL replay on the replica for `pauseMs` every `everyMs`. */
export async function startPauseCycler(env: Env, pauseMs: number, everyMs: number): Promise<PauseCycler> {
  const c = new pg.Client({ connectionString: env.cluster.replica!.url(), application_name: 'bench replay pauser' });
  await c.connect();
  let running = true;
  const state = { cycles: 0 };
  const loop = (async () => {
    while (running) {
      await c.query('SELECT pg_wal_replay_pause()');
      state.cycles += 1;
      await new Promise((res) => setTimeout(res, pauseMs));
      await c.query('SELECT pg_wal_replay_resume()');
      await new Promise((res) => setTimeout(res, everyMs - pauseMs));
    }
  })();
  return {
    get cycles() {
      return state.cycles;
    },
    async stop() {
      running = false;
      await loop;
      await c.query('SELECT pg_wal_replay_resume()');
      await c.end();
    },
  };
}

export function peaks(
  samples: LagSample[],
  from = -Infinity,
  to = Infinity,
): { hbSeconds: number; bytes: number; replayLag: number; n: number } {
  const w = samples.filter((s) => s.t >= from && s.t < to);
  return {
    hbSeconds: Math.max(0, ...w.map((s) => s.hbSeconds)),
    bytes: Math.max(0, ...w.map((s) => s.bytes)),
    replayLag: Math.max(0, ...w.map((s) => s.replayLag ?? 0)),
    n: w.length,
  };
}

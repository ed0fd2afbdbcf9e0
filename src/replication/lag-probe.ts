import type pg from 'pg';
import type { RunnerContext } from '../exec/context.js';
import { HeartbeatWriter } from './heartbeat.js';
import { primaryLagProbe, type LagProbe, type LagReading } from './probe.js';
import { ReplicaProbe, type PrimaryPoint } from './replica-probe.js';

export interface CombinedLagProbe extends LagProbe {
  /** Backend pids of zdm's own probe sessions on the primary (the heartbeat writer), to leave out of other gates. */
  ownPids(): number[];
}

/**
 * The one lag probe of the phase gate and the backfill throttle: the primary's view
 * (pg_stat_replication) plus every `--replica` read directly, with the heartbeat writer running
 * while the probe is open. Concurrent read() calls share one read in flight (parallel workers
 * share a throttle). A standby seen in pg_stat_replication that later disappears from it is a
 * problem (fail-safe: it did not stop lagging, it stopped being visible), or a warning with
 * allowMissingReplica. close() stops the heartbeat and ends the replica pools: call it in finally.
 */
export function createLagProbe(ctx: RunnerContext): CombinedLagProbe {
  const pool = ctx.conn.pool;
  const allowMissing = ctx.settings.allowMissingReplica;
  const primary = primaryLagProbe(pool);
  const replicas = ctx.settings.replicas.map((url) => new ReplicaProbe(url, ctx.stateSchema, allowMissing));
  const seen = new Map<string, number>();
  let heartbeat: { writer: HeartbeatWriter; client: pg.Client; pid: number } | undefined;
  let starting: Promise<void> | undefined;
  let inFlight: Promise<LagReading[]> | undefined;
  let closed = false;
  const warned = new Set<string>();

  /** Without a heartbeat the replicas' time lag is unknown (bytes still gate): a warning, not a failure of the run. */
  async function startHeartbeat(): Promise<void> {
    let client: pg.Client | undefined;
    try {
      client = await ctx.conn.client();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const writer = new HeartbeatWriter(client, ctx.stateSchema, ctx.conn.applicationName);
      heartbeat = { writer, client, pid };
      await writer.start();
      if (writer.lastError)
        ctx.log.warn(
          { error: writer.lastError.message },
          'heartbeat not written: replica time lag is unknown until it is (WAL bytes still gate)',
        );
    } catch (err) {
      ctx.log.warn(
        { error: (err as Error).message },
        'heartbeat writer not started: replica time lag is unknown (WAL bytes still gate)',
      );
      await client?.end().catch(() => undefined);
      heartbeat = undefined;
    }
  }

  async function readAll(): Promise<LagReading[]> {
    if (replicas.length > 0) await (starting ??= startHeartbeat());
    const [fromPrimary, fromReplicas] = await Promise.all([primary.read(), readReplicas()]);
    const readings = [...fromPrimary, ...vanished(fromPrimary), ...fromReplicas];
    for (const r of readings) {
      if (!r.warning || warned.has(`${r.replica}\0${r.warning}`)) continue;
      warned.add(`${r.replica}\0${r.warning}`);
      ctx.log.warn({ replica: r.replica }, `replica ${r.replica} ${r.warning}`);
    }
    return readings;
  }

  async function readReplicas(): Promise<LagReading[]> {
    if (replicas.length === 0) return [];
    // The primary's position first, then each replica's: bytes never come out negative or stale-low.
    const { rows } = await pool.query<{ lsn: string; epoch: number }>(
      `SELECT pg_current_wal_lsn()::text AS lsn, extract(epoch FROM clock_timestamp())::float8 AS epoch`,
    );
    // Beats that stop after the first one show up as growing lag (fail-safe), not as "unknown".
    const point: PrimaryPoint = { ...rows[0]!, heartbeatSince: heartbeat?.writer.startedAt ?? null };
    return Promise.all(replicas.map((r) => r.read(point)));
  }

  function vanished(readings: LagReading[]): LagReading[] {
    const now = new Map<string, number>();
    for (const r of readings) now.set(r.replica, (now.get(r.replica) ?? 0) + 1);
    const gone: LagReading[] = [];
    for (const [name, count] of seen) {
      if ((now.get(name) ?? 0) >= count) continue;
      const message = 'was streaming and is gone from pg_stat_replication';
      gone.push(
        allowMissing
          ? {
              replica: name,
              seconds: null,
              bytes: null,
              warning: `${message}; ignored because of --allow-missing-replica`,
            }
          : {
              replica: name,
              seconds: null,
              bytes: null,
              problem: `${message} (disconnected? its lag can no longer be seen)`,
            },
      );
    }
    for (const [name, count] of now) seen.set(name, Math.max(count, seen.get(name) ?? 0));
    return gone;
  }

  return {
    read() {
      if (closed) return Promise.reject(new Error('lag probe is closed'));
      return (inFlight ??= readAll().finally(() => (inFlight = undefined)));
    },
    ownPids: () => (heartbeat ? [heartbeat.pid] : []),
    async close() {
      closed = true;
      await starting?.catch(() => undefined);
      await inFlight?.catch(() => undefined);
      if (heartbeat) {
        await heartbeat.writer.stop();
        await heartbeat.client.end().catch(() => undefined);
      }
      await Promise.all(replicas.map((r) => r.close()));
    },
  };
}

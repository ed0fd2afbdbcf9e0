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
  return new LagProbeSet(ctx);
}

class LagProbeSet implements CombinedLagProbe {
  private readonly primary: LagProbe;
  private readonly replicas: ReplicaProbe[];
  private readonly vanished: VanishedStandbys;
  private readonly warned = new Set<string>();
  private heartbeat: { writer: HeartbeatWriter; client: pg.Client; pid: number } | undefined;
  private starting: Promise<void> | undefined;
  private inFlight: Promise<LagReading[]> | undefined;
  private closed = false;

  constructor(private readonly ctx: RunnerContext) {
    const { allowMissingReplica, replicas } = ctx.settings;
    this.primary = primaryLagProbe(ctx.conn.pool);
    this.replicas = replicas.map((url) => new ReplicaProbe(url, ctx.stateSchema, allowMissingReplica));
    this.vanished = new VanishedStandbys(allowMissingReplica);
  }

  read(): Promise<LagReading[]> {
    if (this.closed) return Promise.reject(new Error('lag probe is closed'));
    return (this.inFlight ??= this.readAll().finally(() => (this.inFlight = undefined)));
  }

  ownPids(): number[] {
    return this.heartbeat ? [this.heartbeat.pid] : [];
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    await this.inFlight?.catch(() => undefined);
    if (this.heartbeat) {
      await this.heartbeat.writer.stop();
      await this.heartbeat.client.end().catch(() => undefined);
    }
    await Promise.all(this.replicas.map((r) => r.close()));
  }

  private async readAll(): Promise<LagReading[]> {
    if (this.replicas.length > 0) await (this.starting ??= this.startHeartbeat());
    const [fromPrimary, fromReplicas] = await Promise.all([this.primary.read(), this.readReplicas()]);
    const readings = [...fromPrimary, ...this.vanished.check(fromPrimary), ...fromReplicas];
    for (const r of readings) {
      if (!r.warning || this.warned.has(`${r.replica}\0${r.warning}`)) continue;
      this.warned.add(`${r.replica}\0${r.warning}`);
      this.ctx.log.warn({ replica: r.replica }, `replica ${r.replica} ${r.warning}`);
    }
    return readings;
  }

  /** Without a heartbeat the replicas' time lag is unknown (bytes still gate): a warning, not a failure of the run. */
  private async startHeartbeat(): Promise<void> {
    const { conn, stateSchema, log } = this.ctx;
    let client: pg.Client | undefined;
    try {
      client = await conn.client();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const writer = new HeartbeatWriter(client, stateSchema, conn.applicationName);
      this.heartbeat = { writer, client, pid };
      await writer.start();
      if (writer.lastError)
        log.warn(
          { error: writer.lastError.message },
          'heartbeat not written: replica time lag is unknown until it is (WAL bytes still gate)',
        );
    } catch (err) {
      log.warn(
        { error: (err as Error).message },
        'heartbeat writer not started: replica time lag is unknown (WAL bytes still gate)',
      );
      await client?.end().catch(() => undefined);
      this.heartbeat = undefined;
    }
  }

  private async readReplicas(): Promise<LagReading[]> {
    if (this.replicas.length === 0) return [];
    // The primary's position first, then each replica's: bytes never come out negative or stale-low.
    // The insert position, not the write position: WAL of commits that did not wait for their flush
    // (backfill batches) is lag the replica will have, and the throttle counts WAL from there on.
    const { rows } = await this.ctx.conn.pool.query<{ lsn: string; epoch: number }>(
      `SELECT pg_current_wal_insert_lsn()::text AS lsn, extract(epoch FROM clock_timestamp())::float8 AS epoch`,
    );
    // Beats that stop after the first one show up as growing lag (fail-safe), not as "unknown".
    const point: PrimaryPoint = { ...rows[0]!, heartbeatSince: this.heartbeat?.writer.startedAt ?? null };
    return Promise.all(this.replicas.map((r) => r.read(point)));
  }
}

/** Standbys the primary listed in pg_stat_replication before and no longer lists. */
class VanishedStandbys {
  /** The most connections seen per application_name. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly allowMissing: boolean) {}

  check(readings: LagReading[]): LagReading[] {
    const now = new Map<string, number>();
    for (const r of readings) now.set(r.replica, (now.get(r.replica) ?? 0) + 1);
    const gone: LagReading[] = [];
    const message = 'was streaming and is gone from pg_stat_replication';
    for (const [replica, count] of this.seen) {
      if ((now.get(replica) ?? 0) >= count) continue;
      gone.push(
        this.allowMissing
          ? { replica, seconds: null, bytes: null, warning: `${message}; ignored because of --allow-missing-replica` }
          : {
              replica,
              seconds: null,
              bytes: null,
              problem: `${message} (disconnected? its lag can no longer be seen)`,
            },
      );
    }
    for (const [name, count] of now) this.seen.set(name, Math.max(count, this.seen.get(name) ?? 0));
    return gone;
  }
}

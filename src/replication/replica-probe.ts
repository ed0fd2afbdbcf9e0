import pg from 'pg';
import { quoteIdent } from '../db/quote.js';
import { redactUrl } from '../db/connect.js';
import { errorMessage } from '../errors.js';
import type { LagReading } from './probe.js';

/** What the primary said just before the replicas are read: lag is measured against it. */
export interface PrimaryPoint {
  /** pg_current_wal_insert_lsn() on the primary (WAL inserted, written out or not). */
  lsn: string;
  /** clock_timestamp() on the primary, epoch seconds: heartbeat lag needs no clock sync between hosts. */
  epoch: number;
  /** The current heartbeat writer's first beat (epoch seconds); null when no writer runs. */
  heartbeatSince: number | null;
}

/**
 * Lag of one replica named by `--replica <url>`, read on the replica itself, on its own small pool:
 * - bytes: the primary's pg_current_wal_insert_lsn() (read first) minus the replica's pg_last_wal_replay_lsn();
 * - seconds: the primary's clock minus the replayed heartbeat (heartbeat.ts); a beat older than
 *   this run's first beat says only "at least since the writer started", which is what it reports;
 * - fail-safe: no walreceiver, a status other than streaming, a promoted server, or no connection
 *   is a `problem` that closes the gate. `allowMissing` turns only "cannot connect" into a warning.
 */
export class ReplicaProbe {
  readonly name: string;
  private readonly pool: pg.Pool;

  constructor(
    readonly url: string,
    private readonly stateSchema: string,
    private readonly allowMissing: boolean,
  ) {
    this.name = replicaName(url);
    this.pool = new pg.Pool({
      connectionString: url,
      application_name: 'zdm lag probe',
      max: 1,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 3_000,
      statement_timeout: 2_000,
      allowExitOnIdle: true,
    });
    this.pool.on('error', () => undefined);
  }

  async read(primary: PrimaryPoint): Promise<LagReading> {
    const reading: LagReading = { replica: this.name, seconds: null, bytes: null, via: 'heartbeat' };
    let client: pg.PoolClient;
    let broken = false;
    try {
      client = await this.pool.connect();
    } catch (err) {
      const message = `is unreachable (${errorMessage(err)})`;
      if (this.allowMissing) return { ...reading, warning: `${message}; ignored because of --allow-missing-replica` };
      return isFinalConnectError(err)
        ? {
            ...reading,
            problem: `${message}; waiting will not fix this: correct --replica, or pass --allow-missing-replica`,
            final: true,
          }
        : { ...reading, problem: message };
    }
    try {
      const { rows } = await client.query<{
        in_recovery: boolean;
        bytes: number | null;
        receiver: boolean;
        status: string | null;
      }>(
        `SELECT pg_is_in_recovery() AS in_recovery,
                pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::float8 AS bytes,
                w.pid IS NOT NULL AS receiver, w.status
           FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver w ON true`,
        [primary.lsn],
      );
      const r = rows[0]!;
      reading.bytes = r.bytes === null ? null : Math.max(0, r.bytes);
      reading.seconds = await this.heartbeatLag(client, primary);
      if (!r.in_recovery) {
        reading.problem =
          'is not in recovery (pg_is_in_recovery() is false): it was promoted, or the URL names a primary';
        reading.final = true;
      } else if (!r.receiver)
        reading.problem =
          'is not streaming (no walreceiver: disconnected from the primary, or restoring from an archive)';
      else if (r.status === null)
        reading.problem =
          'cannot read its walreceiver status: the role needs pg_read_all_stats or pg_monitor on the replica';
      else if (r.status !== 'streaming') reading.problem = `is not streaming (walreceiver status "${r.status}")`;
      return reading;
    } catch (err) {
      broken = true;
      return { ...reading, problem: `cannot be read (${errorMessage(err)})` };
    } finally {
      client.release(broken);
    }
  }

  private async heartbeatLag(client: pg.PoolClient, primary: PrimaryPoint): Promise<number | null> {
    if (primary.heartbeatSince === null) return null;
    const { rows } = await client.query<{ at: number }>(
      `SELECT extract(epoch FROM beat_at)::float8 AS at FROM ${quoteIdent(this.stateSchema)}.heartbeat WHERE id = 1`,
    );
    const at = rows[0]?.at;
    // No beat of this run replayed yet: the replica is at least this far behind.
    const replayed = at === undefined || at < primary.heartbeatSince ? primary.heartbeatSince : at;
    return Math.max(0, primary.epoch - replayed);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

/**
 * Connection errors that retrying does not clear: the host name does not resolve, the role or
 * password is refused (28000, 28P01), the database does not exist (3D000). A refused or timed-out
 * connection may be a replica restarting, so it is waited for.
 */
function isFinalConnectError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOTFOUND' || code === '28000' || code === '28P01' || code === '3D000';
}

/** host:port (no credentials) for messages; the redacted URL when it is not a URL. */
function replicaName(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname || redactUrl(url);
  } catch {
    return redactUrl(url);
  }
}

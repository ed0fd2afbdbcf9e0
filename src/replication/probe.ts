import type pg from 'pg';

/** One replica's lag as one probe saw it. `problem` set means the reading cannot be trusted. */
export interface LagReading {
  replica: string;
  /** Time lag in seconds, when known. */
  seconds: number | null;
  /** WAL bytes written on the primary that the replica has not replayed, when known. */
  bytes: number | null;
  problem?: string;
  /**
   * Set instead of `problem` when the operator accepted the condition (--allow-missing-replica):
   * logged, never closes a gate.
   */
  warning?: string;
  /** How `seconds` was measured ("heartbeat", "replay_lag"), named in pause reasons. */
  via?: string;
  /**
   * The `problem` is one that waiting will not clear (wrong credentials or database in --replica, a
   * promoted server): a phase gate reports it at once.
   */
  final?: boolean;
}

export interface LagProbe {
  read(): Promise<LagReading[]>;
  close(): Promise<void>;
}

/**
 * Lag of every physical standby, read on the primary from pg_stat_replication (PG 10+).
 * - bytes: pg_wal_lsn_diff(pg_current_wal_insert_lsn(), replay_lsn): WAL inserted and not yet
 *   written out counts too (backfill batches commit without waiting for their flush);
 * - seconds: replay_lag, which goes NULL on an idle, caught-up standby: NULL counts as 0 only
 *   when replay_lsn has reached the current WAL position, otherwise the time lag is unknown;
 * - a standby that is not streaming (catchup, backup, stopping) is a problem, not "zero lag".
 * Logical walsenders (CDC) are left out: their lag is about retention, not staleness.
 * Reading other roles' LSNs needs superuser or pg_monitor; without it the columns are NULL.
 */
export function primaryLagProbe(pool: pg.Pool): LagProbe {
  return {
    async read() {
      const { rows } = await pool.query<{
        name: string;
        state: string;
        bytes: string | null;
        seconds: number | null;
        caught_up: boolean | null;
        visible: boolean;
      }>(
        `SELECT coalesce(nullif(r.application_name, ''), host(r.client_addr), r.pid::text) AS name, r.state,
                pg_wal_lsn_diff(pg_current_wal_insert_lsn(), r.replay_lsn)::text AS bytes,
                extract(epoch FROM r.replay_lag)::float8 AS seconds,
                r.replay_lsn >= pg_current_wal_lsn() AS caught_up,
                r.replay_lsn IS NOT NULL AS visible
           FROM pg_stat_replication r
          WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots s WHERE s.active_pid = r.pid AND s.slot_type = 'logical')
          ORDER BY 1`,
      );
      return rows.map((r) => {
        if (!r.visible)
          return {
            replica: r.name,
            seconds: null,
            bytes: null,
            problem: 'cannot read its LSNs: the zdm role needs pg_monitor (or superuser)',
          };
        const bytes = Math.max(0, Number(r.bytes));
        const seconds = r.seconds ?? (r.caught_up ? 0 : null);
        const reading: LagReading = { replica: r.name, seconds, bytes, via: 'replay_lag' };
        if (r.state !== 'streaming') reading.problem = `walsender state is "${r.state}", not streaming`;
        return reading;
      });
    },
    async close() {},
  };
}

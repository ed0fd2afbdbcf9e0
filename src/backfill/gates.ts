import type { BackfillStep } from '../plan/types.js';
import { createLagProbe } from '../replication/lag-probe.js';
import type { RunnerContext } from '../exec/context.js';
import { lockWaitSignal, throttleQuerySignal, xactAgeSignal } from './signals.js';
import { Throttle, type CachedSignal, type ThrottleVerdict } from './throttle.js';

export { assertWalSafety } from './wal-safety.js';

export interface BackfillThrottle {
  /**
   * Safe to call from several workers at once: concurrent callers share one evaluation.
   * `batchWalBytes`: the WAL the next batch is expected to write, judged against --max-lag-bytes
   * ahead of the batch; when let through, pass the same number to done() after the batch.
   */
  check(batchWalBytes?: number): Promise<ThrottleVerdict>;
  /** `walEnd`: the primary's WAL insert position (bytes from 0/0) when the batch ended. */
  done(batchWalBytes: number, walEnd?: number): void;
  /** Stops the heartbeat and closes the replica connections; call it in a finally block. */
  close(): Promise<void>;
}

/**
 * Every gate a backfill batch waits on, in precedence order: operator pause, replica lag (primary
 * view, each --replica, heartbeat), sessions waiting on locks the backfill causes, the oldest open
 * transaction (--max-xact-age), and --throttle-query. `ownPids`: the backend pids of the backfill's
 * batch sessions, so a session waiting on one of them counts as a lock wait the backfill causes.
 */
export function createBackfillThrottle(
  ctx: RunnerContext,
  step: BackfillStep,
  operatorPause: () => Promise<string | null>,
  opts: { ownPids?: () => number[] } = {},
): BackfillThrottle {
  const { settings } = ctx;
  const pool = ctx.conn.pool;
  const probe = createLagProbe(ctx);
  const signals: CachedSignal[] = [
    {
      name: 'lock wait',
      read: lockWaitSignal(pool, step.table, () => [...(opts.ownPids?.() ?? []), ...probe.ownPids()]),
    },
  ];
  if (settings.maxXactAgeMs > 0)
    signals.push({
      name: 'transaction age',
      read: xactAgeSignal(pool, settings.maxXactAgeMs, ctx.conn.applicationName),
    });
  if (settings.throttleQuery)
    signals.push({ name: 'throttle query', read: throttleQuerySignal(pool, settings.throttleQuery) });
  const walPosition = async () =>
    (await pool.query<{ at: number }>(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::float8 AS at`))
      .rows[0]!.at;
  const throttle = new Throttle(
    probe,
    { maxLagMs: settings.maxLagMs, maxLagBytes: settings.maxLagBytes },
    operatorPause,
    250,
    signals,
    walPosition,
  );
  return {
    check: (batchWalBytes) => throttle.check(batchWalBytes),
    done: (batchWalBytes, walEnd) => throttle.done(batchWalBytes, walEnd),
    close: () => probe.close(),
  };
}

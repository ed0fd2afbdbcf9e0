import type pg from 'pg';
import { quoteIdent } from '../db/quote.js';

/** How often the heartbeat row is rewritten: the resolution of the heartbeat lag reading. */
const HEARTBEAT_INTERVAL_MS = 150;

/**
 * gh-ost's heartbeat: while zdm runs a phase gate or a backfill, one row of `<state>.heartbeat` on
 * the primary is rewritten with clock_timestamp() every ~150 ms; a replica's copy of the row then
 * says up to when it has replayed. Lag read this way has a granularity of one interval (it reads
 * up to ~150 ms high) and includes commit delays on the primary, which is what readers see. One
 * row, updated in place, stays HOT and tiny, so its own cleanup records hardly conflict with
 * replica queries. The row survives between runs: readers must ignore beats older than `startedAt`.
 */
export class HeartbeatWriter {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  /** Epoch seconds (primary clock) of this writer's first beat; null until it is written. */
  startedAt: number | null = null;
  /** The last write error, for logs; a failed beat shows up as growing lag, never as an exception. */
  lastError: Error | undefined;

  constructor(
    private readonly client: pg.Client,
    private readonly stateSchema: string,
    private readonly writtenBy: string,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
  ) {}

  /** Writes the first beat (so readers can tell this run's beats from a previous run's), then keeps beating. */
  async start(): Promise<void> {
    await this.beat();
    this.schedule();
  }

  /** Stops beating and waits for a write in flight; does not close the client. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.beat().finally(() => this.schedule());
    }, this.intervalMs);
    // The heartbeat must never keep the process alive on its own.
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      const { rows } = await this.client.query<{ at: number }>(
        `INSERT INTO ${quoteIdent(this.stateSchema)}.heartbeat AS h (id, beat_at, written_by) VALUES (1, clock_timestamp(), $1)
         ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at, written_by = excluded.written_by
         RETURNING extract(epoch FROM h.beat_at)::float8 AS at`,
        [this.writtenBy],
      );
      this.startedAt ??= rows[0]!.at;
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err as Error;
    }
  }
}

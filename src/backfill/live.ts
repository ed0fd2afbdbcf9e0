import { errorMessage } from '../errors.js';
import type { RunnerContext } from '../exec/context.js';
import type { BackfillProgress } from '../exec/events.js';

/** How often the live progress is written, unless the backfill pauses or resumes in between. */
const LIVE_INTERVAL_MS = 1000;

/**
 * Keeps zdm.backfills.live up to date with what the progress bar shows (rate, ETA, lag, batch
 * size, pause reason and duration), so `zdm status` in another process shows the same: at most
 * once a second and at every pause or resume, one write at a time, never inside a batch. A failed
 * write is logged once and does not stop the backfill.
 */
export class LiveWriter {
  private lastAt = 0;
  private lastPaused: string | null = null;
  private writing: Promise<void> | undefined;
  private warned = false;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly migration: string,
    private readonly stepId: string,
  ) {}

  write(p: BackfillProgress): void {
    const now = Date.now();
    const changed = (p.paused === null) !== (this.lastPaused === null);
    if (this.writing || (!changed && now - this.lastAt < LIVE_INTERVAL_MS)) return;
    this.lastAt = now;
    this.lastPaused = p.paused;
    const live = {
      rowsPerSecond: p.rowsPerSecond,
      etaSeconds: p.etaSeconds,
      batchSize: p.batchSize,
      lag: p.lag,
      paused: p.paused,
      pausedMs: p.pausedMs,
    };
    this.writing = this.ctx.state
      .recordLive(this.ctx.conn.pool, this.migration, this.stepId, live)
      .catch((err: unknown) => {
        if (this.warned) return;
        this.warned = true;
        this.ctx.log.warn(
          { step: this.stepId, error: errorMessage(err) },
          'cannot record the backfill progress for zdm status (the backfill goes on)',
        );
      })
      .finally(() => (this.writing = undefined));
  }

  /** Waits for a write in flight (before the step is finished). */
  async flush(): Promise<void> {
    await this.writing;
  }
}

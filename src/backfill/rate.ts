/** The window of the rate behind the ETA. Measured (BENCHMARKS.md, backfill section 5: 75 ETA
 * readings of 15 runs replayed from their progress series): 15 s kept the worst error at 54% and
 * 53 readings within +-20%; 5 s let one slow stretch of the shared VM swing the ETA by up to 82%. */
export const RATE_WINDOW_MS = 15_000;

/**
 * Rows per second over the last seconds, not since the start: whole-run averages mislead after
 * a pause or a change of batch size (gh-ost moved its ETA to the recent rate for this reason).
 * Pauses count: the rate is rows over wall time, so the ETA includes throttling. The window
 * slides with the clock, so after a long pause (`zdm pause` for an hour) the rate is the rows
 * since the resume over the window, not over the hour.
 */
export class RateMeter {
  private readonly samples: { end: number; rows: number }[] = [];
  private started: number | undefined;

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /** Marks the start of measuring (before the first batch). */
  start(at = performance.now()): void {
    this.started ??= at;
  }

  add(rows: number, at = performance.now()): void {
    this.started ??= at;
    this.samples.push({ end: at, rows });
    while (this.samples.length > 0 && this.samples[0]!.end <= at - this.windowMs) this.samples.shift();
  }

  perSecond(now = performance.now()): number {
    if (this.started === undefined) return 0;
    const from = Math.max(this.started, now - this.windowMs);
    const rows = this.samples.reduce((sum, s) => (s.end > from ? sum + s.rows : sum), 0);
    return (rows / Math.max(now - from, 1)) * 1000;
  }
}

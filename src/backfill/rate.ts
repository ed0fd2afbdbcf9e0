/** The window of the rate behind the ETA. Measured (BENCHMARKS.md, backfill section 5: 75 ETA
 * readings of 15 runs replayed from their progress series): 15 s kept the worst error at 54% and
 * 53 readings within +-20%; 5 s let one slow stretch of the shared VM swing the ETA by up to 82%. */
export const RATE_WINDOW_MS = 15_000;

interface Sample {
  end: number;
  rows: number;
  /** Rows written but not yet replayed by the slowest replica, as last read before this sample. */
  buffered: number;
}

/**
 * Rows per second over the last seconds, not since the start: whole-run averages mislead after
 * a pause or a change of batch size (gh-ost moved its ETA to the recent rate for this reason).
 * Pauses count: the rate is rows over wall time, so the ETA includes throttling.
 *
 * It also keeps the rate at which the slowest replica replays the backfill's rows (rows written
 * minus the rows its lag stands for): under a lag limit, that is the pace the backfill is held to
 * once the limit is reached, while the rows written into the headroom the limit allows come once.
 */
export class RateMeter {
  private readonly samples: Sample[] = [];
  private windowStart: number | undefined;
  private windowStartBuffered: number | undefined;
  private buffered = 0;

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /** Marks the start of measuring (before the first batch). */
  start(at = performance.now()): void {
    this.windowStart ??= at;
  }

  /** The rows the slowest replica has yet to replay (its byte lag over WAL per row), read now. */
  setBuffered(rows: number): void {
    this.buffered = Math.max(0, rows);
    this.windowStartBuffered ??= this.buffered;
  }

  add(rows: number, at = performance.now()): void {
    this.windowStart ??= at;
    this.windowStartBuffered ??= this.buffered;
    this.samples.push({ end: at, rows, buffered: this.buffered });
    while (this.samples.length > 1 && at - this.samples[0]!.end > this.windowMs) {
      const old = this.samples.shift()!;
      this.windowStart = old.end;
      this.windowStartBuffered = old.buffered;
    }
  }

  /** Rows written per second over the window. */
  perSecond(now = performance.now()): number {
    if (this.samples.length === 0 || this.windowStart === undefined) return 0;
    return (this.rowsInWindow() / Math.max(now - this.windowStart, 1)) * 1000;
  }

  /** Rows the slowest replica replayed per second over the window (rows written less the growth of its backlog). */
  replayedPerSecond(now = performance.now()): number {
    if (this.samples.length === 0 || this.windowStart === undefined) return 0;
    const grown = this.buffered - (this.windowStartBuffered ?? this.buffered);
    return (Math.max(0, this.rowsInWindow() - grown) / Math.max(now - this.windowStart, 1)) * 1000;
  }

  /** The rows a replica lags by now. */
  get bufferedRows(): number {
    return this.buffered;
  }

  private rowsInWindow(): number {
    return this.samples.reduce((sum, s) => sum + s.rows, 0);
  }
}

/**
 * Seconds until `remaining` rows are written. Written at `written` rows/s while the slowest
 * replica replays `replayed` rows/s: when the replica keeps up, the written rate alone; when it
 * falls behind, its backlog grows until the lag limit (`limitRows`, the rows the limit lets it lag
 * by) holds the backfill to the replay rate. The rows written into that headroom come once, at the
 * start (what made the ETA of byte-throttled runs 20-50% low early on, BENCHMARKS.md backfill §5).
 */
export function estimateEta(remaining: number, rates: { written: number; replayed: number; bufferedRows: number; limitRows: number }): number | null {
  const { written, replayed, bufferedRows, limitRows } = rates;
  if (remaining <= 0) return 0;
  if (!(written > 0)) return null;
  const unheld = remaining / written;
  if (!(replayed > 0) || replayed >= written) return unheld;
  const headroom = Math.max(0, limitRows - bufferedRows);
  const untilHeld = headroom / (written - replayed);
  if (unheld <= untilHeld) return unheld;
  return untilHeld + (remaining - written * untilHeld) / replayed;
}

import type { BackfillProgress, LagSummary, RunnerEvent } from '../exec/events.js';
import type { SharedTotals } from './control.js';
import { RateMeter } from './rate.js';

export interface Totals {
  scanned: number;
  updated: number;
  batches: number;
}

export interface ProgressOutput {
  emit(event: RunnerEvent): void;
  /** zdm.backfills.live, for zdm status in other processes (live.ts); not called for the final report. */
  live?: (progress: BackfillProgress) => void;
}

/**
 * A backfill's progress as the runner reports it: rows, batches, the rate of the last seconds and
 * the ETA, and since when it is paused. `chunked`: workers of other processes may take part, so
 * the totals and the rate come from the shared counters (shared()), not from this process's batches.
 */
export class ProgressReporter {
  readonly totals: Totals;
  private readonly rate = new RateMeter();
  private sharedScanned: number;
  private pausedAt: number | undefined;
  private readonly startedAt: number;
  private readonly startScanned: number;
  /** Pauses of this run, and the time of those that ended. */
  private pauses = 0;
  private pausedEndedMs = 0;

  constructor(
    private readonly out: ProgressOutput,
    private readonly id: { migration: string; stepId: string; table: string },
    private readonly total: number | null,
    start: Totals,
    private readonly chunked: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.totals = { ...start };
    this.sharedScanned = start.scanned;
    this.startScanned = start.scanned;
    this.startedAt = now();
    this.rate.start();
  }

  /** A batch of this process committed, covering `covered` rows of the key range. */
  batchDone(covered: number, updated: number): void {
    this.totals.scanned += covered;
    this.totals.updated += updated;
    this.totals.batches += 1;
    if (!this.chunked) this.rate.add(covered);
  }

  /** The counters every worker advanced (chunked backfills). */
  shared(s: SharedTotals): void {
    if (!this.chunked) return;
    this.rate.add(Math.max(0, s.rows_scanned - this.sharedScanned));
    this.sharedScanned = s.rows_scanned;
    Object.assign(this.totals, { scanned: s.rows_scanned, updated: s.rows_updated, batches: s.batches });
  }

  /** A gate holds the backfill: reports the pause (and the progress) with how long it has waited. */
  paused(reason: string, lag: LagSummary[], batchSize: number): void {
    if (this.pausedAt === undefined) {
      this.pausedAt = this.now();
      this.pauses++;
    }
    const { migration, stepId } = this.id;
    this.out.emit({ type: 'backfill-pause', migration, stepId, reason, waitedMs: this.now() - this.pausedAt });
    this.report(reason, lag, 0, batchSize);
  }

  /** The gates opened: how long the backfill was paused, or undefined when it was not. */
  resumed(): number | undefined {
    if (this.pausedAt === undefined) return undefined;
    const ms = this.now() - this.pausedAt;
    this.pausedAt = undefined;
    this.pausedEndedMs += ms;
    return ms;
  }

  /**
   * The progress now; `done` is the final report: the rows covered are then the total (the
   * estimate, from the planner's statistics, is seldom exact), so the bar ends at 100%.
   */
  report(paused: string | null, lag: LagSummary[], lastBatchMs: number, batchSize: number, done = false): void {
    const { totals, total } = this;
    const rowsPerSecond = this.rate.perSecond();
    const remaining = Math.max(0, (total ?? totals.scanned) - totals.scanned);
    const now = this.now();
    const pausedMs = paused !== null && this.pausedAt !== undefined ? now - this.pausedAt : 0;
    const progress: BackfillProgress = {
      rowsScanned: totals.scanned,
      rowsUpdated: totals.updated,
      totalEstimate: done ? totals.scanned : Math.max(total ?? 0, totals.scanned),
      batches: totals.batches,
      batchSize,
      rowsPerSecond,
      etaSeconds: done ? 0 : rowsPerSecond > 0 ? remaining / rowsPerSecond : null,
      lastBatchMs,
      lag,
      paused,
      pausedMs,
      elapsedMs: now - this.startedAt,
      rowsThisRun: Math.max(0, totals.scanned - this.startScanned),
      pauses: this.pauses,
      pausedTotalMs: this.pausedEndedMs + (this.pausedAt !== undefined ? now - this.pausedAt : 0),
      done,
    };
    const { migration, stepId, table } = this.id;
    this.out.emit({ type: 'backfill-progress', migration, stepId, table, progress });
    if (!done) this.out.live?.(progress);
  }
}

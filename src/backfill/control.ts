import type { OperatorChange } from '../exec/events.js';
import type { Control } from '../exec/state-store.js';

/** How often a running backfill reads the operator's pause flag and tune overrides. */
const CONTROL_INTERVAL_MS = 1000;

/** The migration row's operator controls (zdm pause / resume / tune). */
export interface ControlReading {
  paused: boolean;
  pause_reason: string | null;
  control: Control;
}

/** A backfill's counters in zdm.backfills, which every worker of every process advances. */
export interface SharedTotals {
  rows_scanned: number;
  rows_updated: number;
  batches: number;
}

export interface ControlSource {
  /** The migration's row (undefined: it is gone). */
  read(): Promise<ControlReading | undefined>;
  /** The backfill's shared counters; only for a chunked backfill, which other processes may join. */
  readShared?: () => Promise<SharedTotals | undefined>;
}

export interface ControlTargets {
  /** A batch size set by zdm tune, for every worker. */
  setBatchSize(size: number): void;
  /** The shared counters, when read. */
  shared(totals: SharedTotals): void;
  /** What the operator changed since the last reading (the first reading: since the run started). */
  changed?: (change: OperatorChange) => void;
}

/**
 * What the operator asked of a running backfill, read at most once per `intervalMs` (the throttle
 * asks before every batch): the pause reason ('' when none was given; null = not paused), a batch
 * size (applied to every worker on each read) and the rate cap (null in the state removes it). The
 * shared counters are read along, so progress counts the rows of joined processes too.
 */
export class ControlPoller {
  private lastRead = 0;
  private pauseReason: string | null = null;
  private rateCap: number | undefined;
  private batchSize: number | undefined;

  constructor(
    private readonly source: ControlSource,
    private readonly targets: ControlTargets,
    maxRowsPerSecond: number | undefined,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = CONTROL_INTERVAL_MS,
  ) {
    this.rateCap = maxRowsPerSecond;
  }

  /** The rows per second this process may write in all (undefined: no cap). */
  get maxRowsPerSecond(): number | undefined {
    return this.rateCap;
  }

  /** The operator's pause reason, or null; reads the state when the last read is older than the interval. */
  async poll(): Promise<string | null> {
    if (this.now() - this.lastRead <= this.intervalMs) return this.pauseReason;
    this.lastRead = this.now();
    const m = await this.source.read();
    const pauseReason = m?.paused ? (m.pause_reason ?? '') : null;
    if (pauseReason !== this.pauseReason)
      this.targets.changed?.(pauseReason === null ? { change: 'resume' } : { change: 'pause', reason: pauseReason });
    this.pauseReason = pauseReason;
    if (m?.control.batchSize) this.targets.setBatchSize(m.control.batchSize);
    this.tuned(m?.control.batchSize, m?.control.maxRowsPerSecond);
    const shared = await this.source.readShared?.();
    if (shared) this.targets.shared(shared);
    return this.pauseReason;
  }

  /** Takes the tuned batch size and rate cap, and reports them when they changed. */
  private tuned(batchSize: number | undefined, maxRowsPerSecond: number | null | undefined): void {
    const tune: OperatorChange & { change: 'tune' } = { change: 'tune' };
    if (batchSize && batchSize !== this.batchSize) tune.batchSize = this.batchSize = batchSize;
    if (maxRowsPerSecond !== undefined && (maxRowsPerSecond ?? undefined) !== this.rateCap) {
      this.rateCap = maxRowsPerSecond ?? undefined;
      tune.maxRowsPerSecond = maxRowsPerSecond;
    }
    if (Object.keys(tune).length > 1) this.targets.changed?.(tune);
  }
}

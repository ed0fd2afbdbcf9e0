import { MAX_BATCH_SIZE, MIN_BATCH_SIZE } from '../defaults.js';
import { BatchSizer } from './sizer.js';
import type { WalMeter } from './wal-meter.js';

/**
 * The batch sizes of a backfill's workers (one adaptive sizer each), bounded by the WAL one batch
 * may write: `walBudgetBytes` per worker (a share of --max-lag-bytes; Infinity = no bound), by the
 * WAL per row measured so far, or a single batch could overshoot the lag limit by itself. Also
 * counts the batches in flight: the WAL measured during a batch includes the batches beside it.
 */
export class WorkerSizing {
  private readonly sizers: BatchSizer[];
  private running = 0;

  constructor(
    readonly wal: WalMeter,
    private readonly walBudgetBytes: number,
    workers: number,
    initialSize: number,
    targetBatchMs: number,
  ) {
    const max = Math.max(MIN_BATCH_SIZE, Math.min(MAX_BATCH_SIZE, this.walCap()));
    this.sizers = Array.from(
      { length: workers },
      () => new BatchSizer(initialSize, targetBatchMs, MIN_BATCH_SIZE, max),
    );
  }

  sizer(worker: number): BatchSizer {
    return this.sizers[worker]!;
  }

  /** A batch size set by zdm tune: every worker starts from it again. */
  override(size: number): void {
    for (const sizer of this.sizers) if (sizer.current !== size) sizer.override(size);
  }

  /** The WAL a batch of `rows` rows is expected to write. */
  walOf(rows: number): number {
    return rows * this.wal.bytesPerRow;
  }

  /** A batch starts; returns how many run now, this one included. */
  begin(): number {
    return ++this.running;
  }

  /** A batch ended; returns the most batches that ran beside it (`overlap`: the count at its start). */
  end(overlap: number): number {
    return Math.max(overlap, this.running--);
  }

  /**
   * After a batch of `size` rows that took `ms` and rewrote `updated` rows, `walBytes` measured while
   * `overlap` batches ran.
   */
  observe(sizer: BatchSizer, size: number, ms: number, updated: number, walBytes: number, overlap: number): void {
    this.wal.observe(updated, walBytes / overlap);
    const cap = Math.min(MAX_BATCH_SIZE, this.walCap());
    for (const each of this.sizers) each.limit(cap);
    sizer.observe(size, ms);
  }

  private walCap(): number {
    return Number.isFinite(this.walBudgetBytes) ? this.wal.rowsFor(this.walBudgetBytes) : Infinity;
  }
}

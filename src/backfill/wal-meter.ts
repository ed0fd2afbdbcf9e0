/**
 * WAL per backfilled row, measured: each batch reports the WAL written during it
 * (pg_current_wal_insert_lsn() before and after) and the rows it rewrote. Starts from the
 * estimate (wal-estimate.ts) and follows the measurements, rising at once (the first change to a
 * page after a checkpoint logs the whole page, so WAL per row can double mid-run) and falling
 * slowly, so a batch sized from it errs large in WAL, not small.
 */
export class WalMeter {
  private perRow: number;

  constructor(initialBytesPerRow: number) {
    this.perRow = Math.max(1, initialBytesPerRow);
  }

  get bytesPerRow(): number {
    return this.perRow;
  }

  observe(rows: number, bytes: number): void {
    if (rows <= 0 || !(bytes >= 0)) return;
    const sample = bytes / rows;
    this.perRow = Math.max(1, sample, 0.8 * this.perRow + 0.2 * sample);
  }

  /** The most rows whose WAL fits in `budgetBytes`. */
  rowsFor(budgetBytes: number): number {
    return Math.floor(budgetBytes / this.perRow);
  }
}

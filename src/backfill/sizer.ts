import { MAX_BATCH_SIZE, MIN_BATCH_SIZE } from '../defaults.js';

/**
 * Sizes batches by duration, not row count (GitLab's batched background migrations): an
 * exponential moving average of time per row predicts the size that takes `targetMs`; growth is
 * capped at x1.5 per batch, shrinking is immediate (a slow batch holds row locks longer).
 */
export class BatchSizer {
  private msPerRow: number | undefined;

  constructor(
    private size: number,
    private readonly targetMs: number,
    private readonly min = MIN_BATCH_SIZE,
    private max = MAX_BATCH_SIZE,
  ) {
    this.size = clamp(size, min, max);
  }

  get current(): number {
    return this.size;
  }

  /** Sets the size directly (a changed --batch-size taking effect mid-run). */
  override(size: number): void {
    this.size = clamp(size, this.min, this.max);
    this.msPerRow = undefined;
  }

  /** Changes the upper bound (the WAL cap, as WAL per row is measured); the size follows at once if above it. */
  limit(max: number): void {
    this.max = Math.max(this.min, max);
    this.size = clamp(this.size, this.min, this.max);
  }

  /** Records a batch of `rows` rows that took `ms`, and returns the next batch size. */
  observe(rows: number, ms: number): number {
    if (rows <= 0) return this.size;
    const sample = ms / rows;
    this.msPerRow = this.msPerRow === undefined ? sample : 0.7 * this.msPerRow + 0.3 * sample;
    const ideal = this.targetMs / Math.max(this.msPerRow, 1e-4);
    this.size = clamp(Math.round(Math.min(ideal, this.size * 1.5)), this.min, this.max);
    return this.size;
  }

  /** After a lock or statement timeout: halve (GitLab's split-and-retry). */
  shrink(): number {
    this.size = clamp(Math.floor(this.size / 2), this.min, this.max);
    return this.size;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}

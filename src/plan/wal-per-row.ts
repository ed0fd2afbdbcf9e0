/*
 * PURE: the WAL one backfilled row writes, used by the backfill (its per-batch WAL cap and the
 * retention check) and by `zdm plan` (the summary's WAL estimate).
 *
 * Per updated row (a fillfactor-100 heap makes almost every backfill update non-HOT):
 *   2 x row width      the new tuple, plus its share of the heap page's full-page image (the first
 *                      change to a page after a checkpoint logs the whole page: rows x width)
 *   + 100 B            heap record header and the old version's xmax
 *   + 100 B per index  one index entry, its record header and its share of index-page images
 *   x 1.25             margin; the new columns also make the new tuple wider than the average.
 * Calibration (measured before the backfill was built, at every batch size alike): 2 M rows of ~160 B
 * with one index wrote 1.04 GB, 546 B/row; this rule gives 655 B/row, 20% high, which is the side to
 * err on.
 */
const WAL_ROW_OVERHEAD_BYTES = 100;
const WAL_INDEX_ENTRY_BYTES = 100;
const WAL_ESTIMATE_MARGIN = 1.25;
/** Width assumed for a table with neither pages nor statistics (never analyzed, empty). */
export const DEFAULT_ROW_WIDTH = 100;
/** A heap tuple's header (23 B, aligned) and its line pointer, added to pg_stats column widths. */
const TUPLE_OVERHEAD_BYTES = 28;

export interface TableStats {
  /** pg_class.reltuples (-1 or 0: unknown). */
  tuples: number;
  relpages: number;
  /** Sum of pg_stats.avg_width over the columns, when analyzed. */
  statWidth: number | null;
  indexes: number;
}

/** Bytes per row on disk: relpages*8192/reltuples (free space included), else pg_stats widths. */
export function rowWidth(s: TableStats): number {
  if (s.relpages > 0 && s.tuples > 0) return (s.relpages * 8192) / s.tuples;
  if (s.statWidth !== null && s.statWidth > 0) return s.statWidth + TUPLE_OVERHEAD_BYTES;
  return DEFAULT_ROW_WIDTH;
}

export function walBytesPerRow(width: number, indexes: number): number {
  return Math.round(WAL_ESTIMATE_MARGIN * (2 * width + WAL_ROW_OVERHEAD_BYTES + WAL_INDEX_ENTRY_BYTES * indexes));
}

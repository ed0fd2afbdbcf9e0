import type { TableInfo } from '../../db/catalog.js';
import { displayName } from '../../db/quote.js';
import type { PlanContext } from '../types.js';

/** What one operation does to each row of a table, as a whole-row reader sees it. */
export interface RowChange {
  /** From expand until contract (null: nothing changes before contract). */
  window: string | null;
  /** From contract on. */
  after: string;
  /** A backfill updates every row (an UPDATE trigger or rule fires for each). */
  backfills: boolean;
}

/**
 * The plan note naming what reads whole rows of `table` (TableInfo.wholeRowReaders: a view of
 * `SELECT t` or `row_to_json(t)`, a rule on NEW, a policy `USING (f(t))`, a trigger's
 * `WHEN (NEW IS DISTINCT FROM OLD)`, a SQL-standard function body). Postgres keeps each working
 * through every phase (a whole-row value follows the table's row type as columns come and go), so
 * nothing is recreated or refused; what it gives changes, and the note says how
 * (src/operations/README.md, "Whole-row readers").
 */
export function wholeRowNote(ctx: PlanContext, table: TableInfo, change: RowChange): void {
  const readers = table.wholeRowReaders ?? [];
  if (readers.length === 0) return;
  const when = change.window ? `${change.window}; ${change.after}` : change.after;
  ctx.note({
    phase: change.window ? 'expand' : 'contract',
    text:
      `${readers.join(', ')}: read(s) whole rows of ${displayName(table)} (a row value, row_to_json, NEW / OLD ` +
      `compared whole), which Postgres keeps working without recreating them, but what they give follows the ` +
      `row: ${when} (a json consumer sees those keys, a row value's fields and their order change)` +
      (change.backfills
        ? `; the backfill updates every row, so an UPDATE trigger or rule among them fires for each ` +
          `(a WHEN (OLD IS DISTINCT FROM NEW) sees the new column change)`
        : ''),
  });
}

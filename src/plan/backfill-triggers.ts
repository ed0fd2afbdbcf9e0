import type { TableInfo, TriggerInfo } from '../db/catalog.js';
import { displayName, quoteIdent } from '../db/quote.js';
import { parseSql } from '../sql/parser.js';
import type { Node } from '../sql/rewrite.js';

/** CreateTrigStmt's `events` bit for UPDATE and its `timing` bits (Postgres' TRIGGER_TYPE_*). */
const UPDATE_EVENT = 1 << 4;
const TIMING_BEFORE = 1 << 1;
const TIMING_INSTEAD = 1 << 6;

/** How a trigger fires for the backfill's UPDATE of `columns`; undefined when it does not fire. */
function firing(trigger: TriggerInfo, columns: ReadonlySet<string>): string | undefined {
  if (!trigger.enabled || trigger.name.startsWith('zdm_')) return undefined;
  let stmt: Node | undefined;
  try {
    stmt = (parseSql(trigger.definition).stmts?.[0]?.stmt as Node | undefined)?.CreateTrigStmt as Node | undefined;
  } catch {
    return `${quoteIdent(trigger.name)} (its definition could not be read: it may fire)`;
  }
  if (!stmt || ((stmt.events as number) & UPDATE_EVENT) === 0) return undefined;
  // UPDATE OF fires only when a listed column is a target of the UPDATE: the backfill sets its own.
  const of = ((stmt.columns as Node[] | undefined) ?? []).map((c) => (c.String as { sval: string }).sval);
  if (of.length > 0 && !of.some((c) => columns.has(c))) return undefined;
  const timing = stmt.timing as number;
  const when = (timing & TIMING_BEFORE) !== 0 ? 'BEFORE' : (timing & TIMING_INSTEAD) !== 0 ? 'INSTEAD OF' : 'AFTER';
  const each = stmt.row ? 'for each row' : 'once per batch';
  return `${quoteIdent(trigger.name)} (${when} UPDATE, ${each}${stmt.whenClause ? ', when its WHEN holds' : ''})`;
}

/**
 * The plan note naming the table's own triggers that the backfill's UPDATEs fire (zdm's own skip
 * them: their WHEN reads zdm.backfill). A BEFORE trigger that stamps a column (updated_at) changes
 * every row it copies, an AFTER trigger that audits writes a row for each: the note says so and how
 * to keep a trigger out of the backfill. Undefined when none fires. A partitioned table's triggers
 * are its own (cloned to every partition); a partition's own triggers are not read.
 */
export function backfillTriggersNote(table: TableInfo, columns: readonly string[]): string | undefined {
  const set = new Set(columns);
  const fired = table.triggers.flatMap((t) => firing(t, set) ?? []);
  if (fired.length === 0) return undefined;
  return (
    `the backfill of ${displayName(table)} updates every row, which fires its trigger(s) ${fired.join(', ')}: ` +
    `a trigger that stamps a column (updated_at) or writes an audit row does so for every row copied. ` +
    `To keep one out of the backfill, make it skip when current_setting('zdm.backfill', true) = 'on' ` +
    `(set in each backfill batch's transaction), e.g. in its WHEN clause (a sql step before this operation)`
  );
}

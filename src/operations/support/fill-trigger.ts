import type { TableInfo } from '../../db/catalog.js';
import { generatedName, quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import { qualifyColumns } from '../../sql/rewrite.js';
import { lockTreeFirst } from './partitions.js';
import { dollarTag, dropSyncTriggerStatements } from './sync-trigger.js';

/**
 * A compatibility trigger for the window between expand and contract: every write that leaves
 * `column` NULL gets `expression` (computed from the row being written) instead. It lets an
 * application version that does not know a column keep writing while the column must hold a
 * value (a NOT NULL column being added or enforced, a NOT NULL column being dropped).
 *
 * The WHEN clause makes it free for writes that set the column (the backfill sets it itself).
 * With `every`, every write gets `expression` (named `zdm_fix_...`: addCheck's `up` after the
 * swap, rewriting what either version writes into a value the check accepts).
 * The name starts with `zdm_` so it fires after the application's own BEFORE triggers.
 */
export interface FillTrigger {
  create: string[];
  /**
   * First in its step: on a partitioned table it locks the tree root first (lockTreeFirst), as DROP
   * TRIGGER alone locks the partitions before the parent, deadlocking with the application's writes.
   */
  drop: string[];
  /** The drop alone, for a step that has locked the tree already. */
  dropInLockedTree: string[];
}

export function fillTrigger(
  table: TableInfo,
  column: string,
  expression: string,
  extraColumns: string[] = [],
  every = false,
): FillTrigger {
  const t: QualifiedName = { schema: table.schema, name: table.name };
  const name = generatedName(every ? 'zdm_fix' : 'zdm_fill', table.name, column);
  const fn: QualifiedName = { schema: table.schema, name };
  const columns = new Set([...table.columns.map((c) => c.name), ...extraColumns]);
  const body = `BEGIN\n  NEW.${quoteIdent(column)} := ${qualifyColumns(expression, columns, 'new')};\n  RETURN NEW;\nEND`;
  const tag = dollarTag(body);
  return {
    create: [
      `CREATE OR REPLACE FUNCTION ${quoteQualified(fn)}() RETURNS trigger LANGUAGE plpgsql AS ${tag}\n${body}\n${tag}`,
      `CREATE TRIGGER ${quoteIdent(name)} BEFORE INSERT OR UPDATE ON ${quoteQualified(t)} FOR EACH ROW${every ? '' : ` WHEN (NEW.${quoteIdent(column)} IS NULL)`} EXECUTE FUNCTION ${quoteQualified(fn)}()`,
    ],
    drop: [...lockTreeFirst(table), ...dropSyncTriggerStatements(t, fn, name)],
    dropInLockedTree: dropSyncTriggerStatements(t, fn, name),
  };
}

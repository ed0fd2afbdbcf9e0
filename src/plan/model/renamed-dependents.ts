import type { ColumnDependent } from '../../db/catalog.js';
import type { QualifiedName } from '../../db/quote.js';
import {
  rewriteFunctionDefinition,
  rewritePolicyExpression,
  rewriteTriggerDefinition,
  widenTriggerColumns,
} from '../../sql/dependent-rewrite.js';
import { rewriteViewQuery } from '../../sql/view-rewrite.js';

/**
 * A dependent's definition as it reads once `renames` is applied (the virtual schema after a
 * renameColumn), so that a later operation of the same migration renaming another column the
 * dependent uses rewrites it from that text, not from the catalog's: otherwise its contract (or
 * switch) statement would put the first column back under its dropped name. A definition that cannot
 * be rewritten stays as read (the operation that renamed the column refused it already).
 */
export function renamedDependent(
  d: ColumnDependent,
  of: QualifiedName,
  renames: ReadonlyMap<string, string>,
): ColumnDependent {
  const out: ColumnDependent = { ...d, column: renames.get(d.column) ?? d.column };
  // A dependent on a partition's column reads it through the partition, renamed with the table's.
  const table = d.on ?? of;
  if (d.view && d.view.relkind === 'v') {
    const r = rewriteViewQuery(d.view.definition, table, renames);
    if ('query' in r) out.view = { ...d.view, definition: r.query };
  }
  if (d.policy) {
    const expr = (e: string | null) => {
      if (e === null) return null;
      const r = rewritePolicyExpression(e, d.policy!.table, table, renames);
      return 'sql' in r ? r.sql : e;
    };
    out.policy = { ...d.policy, using: expr(d.policy.using), withCheck: expr(d.policy.withCheck) };
  }
  if (d.trigger && sameTable(d.trigger.table, table)) {
    const r = rewriteTriggerDefinition(d.trigger.definition, renames);
    // During the window the trigger has the rename's widened UPDATE OF list (dependent-objects.ts).
    const window = d.trigger.windowDefinition ?? d.trigger.definition;
    const windowDefinition = widenTriggerColumns(window, renames) ?? window;
    if ('sql' in r) out.trigger = { ...d.trigger, definition: r.sql, windowDefinition };
  }
  if (d.function) {
    const r = rewriteFunctionDefinition(d.function.definition, d.function.argNames, table, renames);
    if ('sql' in r) out.function = { ...d.function, definition: r.sql };
  }
  if (d.publication) {
    const p = d.publication;
    const filter = p.rowFilter === null ? null : rewritePolicyExpression(p.rowFilter, table, table, renames);
    out.publication = {
      ...p,
      columns: p.columns?.map((c) => renames.get(c) ?? c) ?? null,
      rowFilter: filter && 'sql' in filter ? filter.sql : p.rowFilter,
    };
  }
  if (definitions(out) !== definitions(d)) out.renamed = true;
  return out;
}

function definitions(d: ColumnDependent): string {
  return JSON.stringify([d.view?.definition, d.policy, d.trigger?.definition, d.function?.definition, d.publication]);
}

function sameTable(a: QualifiedName, b: QualifiedName): boolean {
  return a.schema === b.schema && a.name === b.name;
}

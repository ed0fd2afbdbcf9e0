import type { Catalog } from '../../db/catalog.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import { BACKFILL_SETTING } from '../../plan/backfill-sql.js';
import { qualifyColumns } from '../../sql/rewrite.js';

/**
 * The dual-write trigger that keeps the old and the new shape of a table in step while old and
 * new application versions run side by side.
 *
 * - INSERT: when the writer filled any new column (new columns have no default during the
 *   window, so a value there was written by a client on the new version), the old columns are
 *   derived from the new ones; otherwise the new columns are derived from the old ones.
 * - UPDATE: when a new column changed, the writer is on the new version and the old columns are
 *   derived; otherwise the new columns are recomputed from the (possibly changed) old ones, which
 *   also catches up rows the backfill has not reached yet.
 *
 * The backfill sets `zdm.backfill = on` for its own transactions and writes the new columns
 * itself, so the trigger's WHEN clause skips its rows (no per-row PL/pgSQL call on the hot path).
 * The name starts with `zdm_` so it fires after the application's own BEFORE triggers, which
 * run in name order, and sees their final values.
 */
export interface SyncMapping {
  /**
   * New columns and how each is computed from old columns (expressions over unqualified names).
   * `asText`: the column's type has no = operator (json, xml, point): compared as text.
   */
  forward: { column: string; expression: string; asText?: boolean }[];
  /** Old columns and how each is computed from new columns. */
  backward: { column: string; expression: string }[];
}

export function syncTriggerStatements(
  table: QualifiedName,
  fn: QualifiedName,
  trigger: string,
  mapping: SyncMapping,
  allColumns: ReadonlySet<string>,
): string[] {
  const assign = (list: SyncMapping['forward']) =>
    list.map((m) => `NEW.${quoteIdent(m.column)} := ${qualifyColumns(m.expression, allColumns, 'new')};`).join(' ');
  const newWritten = mapping.forward.map((m) => `NEW.${quoteIdent(m.column)} IS NOT NULL`).join(' OR ');
  const newChanged = mapping.forward
    .map((m) => distinctSql(`NEW.${quoteIdent(m.column)}`, `OLD.${quoteIdent(m.column)}`, m.asText))
    .join(' OR ');
  const body = [
    'BEGIN',
    `  IF TG_OP = 'INSERT' THEN`,
    `    IF ${newWritten} THEN ${assign(mapping.backward)} ELSE ${assign(mapping.forward)} END IF;`,
    `  ELSIF ${newChanged} THEN`,
    `    ${assign(mapping.backward)}`,
    '  ELSE',
    `    ${assign(mapping.forward)}`,
    '  END IF;',
    '  RETURN NEW;',
    'END',
  ].join('\n');
  const tag = dollarTag(body);
  return [
    `CREATE OR REPLACE FUNCTION ${quoteQualified(fn)}() RETURNS trigger LANGUAGE plpgsql AS ${tag}\n${body}\n${tag}`,
    `CREATE TRIGGER ${quoteIdent(trigger)} BEFORE INSERT OR UPDATE ON ${quoteQualified(table)} FOR EACH ROW ` +
      `WHEN (current_setting('${BACKFILL_SETTING}', true) IS DISTINCT FROM 'on') EXECUTE ` +
      `FUNCTION ${quoteQualified(fn)}()`,
  ];
}

/**
 * `a IS DISTINCT FROM b`, or on their text forms when the type has no = operator (`json = json`
 * does not exist: IS DISTINCT FROM fails at run time, in the trigger on every UPDATE); `via` a type
 * name: both cast to it (compareVia).
 */
export function distinctSql(a: string, b: string, via: boolean | string = false): string {
  const cast = via === true ? 'text' : via || undefined;
  return cast ? `${a}::${cast} IS DISTINCT FROM ${b}::${cast}` : `${a} IS DISTINCT FROM ${b}`;
}

const JSON_OID = 114;
const JSON_ARRAY_OID = 199;

/**
 * How to tell whether a column holds the value an expression gives, for a type without an = operator:
 * json by its jsonb value (a writer's '{"n": 1}' is the '{"n" : 1}' json_build_object gives), json[]
 * likewise, other types (xml, point, box) by their text forms; undefined: with the type's own =.
 */
export function compareVia(catalog: Catalog, typeOid: number): string | undefined {
  if (typeOid === JSON_OID) return 'jsonb';
  if (typeOid === JSON_ARRAY_OID) return 'jsonb[]';
  return comparesAsText(catalog, typeOid) ? 'text' : undefined;
}

/** A type without a default btree class may have no = operator either (json, xml, point): compare as text. */
export function comparesAsText(catalog: Catalog, typeOid: number): boolean {
  return catalog.typeFacts?.get(typeOid)?.sortable === false;
}

export function dropSyncTriggerStatements(table: QualifiedName, fn: QualifiedName, trigger: string): string[] {
  return [
    `DROP TRIGGER IF EXISTS ${quoteIdent(trigger)} ON ${quoteQualified(table)}`,
    `DROP FUNCTION IF EXISTS ${quoteQualified(fn)}()`,
  ];
}

/** A dollar-quote tag that does not occur in the body (user expressions could contain `$zdm$`). */
export function dollarTag(body: string): string {
  let tag = '$zdm$';
  for (let i = 1; body.includes(tag); i++) tag = `$zdm${i}$`;
  return tag;
}

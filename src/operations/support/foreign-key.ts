import { z } from 'zod';
import type { TableInfo } from '../../db/catalog.js';
import { foreignKeyTypesCompatible } from '../../db/catalog-types.js';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import { plainIndexColumns, qualified } from './common.js';
import * as ddl from './ddl.js';
import { validateConstraintStep, verifyStep } from './steps.js';
import type { PlanContext, StepBuilder } from '../types.js';

/** Foreign keys, shared by addForeignKey and addColumn's `references`. */

export const referentialAction = z.enum(['cascade', 'restrict', 'no action', 'set null', 'set default']);

/**
 * A foreign key's matching and timing, as in SQL: `match` full makes a row with some but not all
 * key columns NULL a violation (simple, the default, exempts it); `deferrable` lets a transaction
 * postpone the check to COMMIT (SET CONSTRAINTS), `initiallyDeferred` does so unless asked.
 */
export const foreignKeyOptions = {
  match: z.enum(['simple', 'full']).optional(),
  deferrable: z.boolean().optional(),
  initiallyDeferred: z.boolean().optional(),
};

export interface ForeignKey {
  name: string;
  columns: string[];
  referenced: TableInfo;
  referencedColumns: string[];
  onDelete?: z.infer<typeof referentialAction> | undefined;
  onUpdate?: z.infer<typeof referentialAction> | undefined;
  match?: 'simple' | 'full' | undefined;
  deferrable?: boolean | undefined;
  initiallyDeferred?: boolean | undefined;
}

const list = (names: string[]) => names.map(quoteIdent).join(', ');

/** What follows `REFERENCES t (c)`: ` MATCH FULL ON DELETE CASCADE ... DEFERRABLE INITIALLY DEFERRED`, in SQL's order. */
export function foreignKeyTail(fk: Omit<ForeignKey, 'name' | 'columns' | 'referenced' | 'referencedColumns'>): string {
  return [
    fk.match === 'full' ? ' MATCH FULL' : '',
    fk.onDelete ? ` ON DELETE ${fk.onDelete.toUpperCase()}` : '',
    fk.onUpdate ? ` ON UPDATE ${fk.onUpdate.toUpperCase()}` : '',
    fk.deferrable || fk.initiallyDeferred ? ' DEFERRABLE' : '',
    fk.initiallyDeferred ? ' INITIALLY DEFERRED' : '',
  ].join('');
}

/** `initiallyDeferred` needs a deferrable constraint: refused at plan time when `deferrable` is false. */
export function requireDeferrable(
  ctx: PlanContext,
  fk: { deferrable?: boolean | undefined; initiallyDeferred?: boolean | undefined },
  field: string,
): void {
  if (fk.initiallyDeferred && fk.deferrable === false)
    ctx.fail(field, '`initiallyDeferred: true` needs a deferrable constraint: drop `deferrable: false`');
}

/** `ALTER TABLE t ADD CONSTRAINT n FOREIGN KEY (a) REFERENCES s.t (id) ON DELETE CASCADE NOT VALID`: brief, no scan. */
export function addForeignKeyNotValid(t: QualifiedName, fk: ForeignKey): string {
  return addForeignKey(t, fk, true);
}

/** `FOREIGN KEY (a) REFERENCES s.t (id) [ON DELETE ...]`: the constraint's definition, as ADD CONSTRAINT takes it. */
export function foreignKeyDefinition(fk: ForeignKey): string {
  const references = `${quoteQualified(qualified(fk.referenced))} (${list(fk.referencedColumns)})`;
  return `FOREIGN KEY (${list(fk.columns)}) REFERENCES ${references}${foreignKeyTail(fk)}`;
}

/** `ALTER TABLE t ADD CONSTRAINT n FOREIGN KEY (a) REFERENCES s.t (id) [ON DELETE ...] [NOT VALID]`. */
export function addForeignKey(t: QualifiedName, fk: ForeignKey, notValid: boolean): string {
  return ddl.addConstraint(t, fk.name, `${foreignKeyDefinition(fk)}${notValid ? ' NOT VALID' : ''}`);
}

/**
 * Rows of `table` without a referenced row. MATCH SIMPLE: a NULL in any column exempts the row;
 * MATCH FULL: only all of them NULL does, some NULL is a violation.
 */
export function foreignKeyViolation(table: TableInfo, fk: ForeignKey): string {
  const own = quoteQualified(qualified(table));
  const match = fk.columns
    .map((c, i) => `zdm_ref.${quoteIdent(fk.referencedColumns[i]!)} = ${own}.${quoteIdent(c)}`)
    .join(' AND ');
  const orphan = `${fk.columns.map((c) => `${own}.${quoteIdent(c)} IS NOT NULL`).join(' AND ')} AND NOT EXISTS (SELECT 1 FROM ${quoteQualified(qualified(fk.referenced))} zdm_ref WHERE ${match})`;
  if (fk.match !== 'full' || fk.columns.length === 1) return orphan;
  const someNull = `(${fk.columns.map((c) => `${own}.${quoteIdent(c)} IS NULL`).join(' OR ')}) AND NOT (${fk.columns.map((c) => `${own}.${quoteIdent(c)} IS NULL`).join(' AND ')})`;
  return `(${orphan}) OR (${someNull})`;
}

/** switch: a sample of the rows without a referenced row, then VALIDATE in its own transaction. */
export function validateForeignKey(steps: StepBuilder, table: TableInfo, fk: ForeignKey): void {
  verifyStep(
    steps,
    table,
    foreignKeyViolation(table, fk),
    fk.columns,
    `verify every row of ${displayName(table)} has its ${displayName(fk.referenced)} row (${list(fk.columns)})`,
    `rows of ${displayName(table)} whose (${list(fk.columns)}) has no row in ${displayName(fk.referenced)}; constraint ${quoteIdent(fk.name)} cannot be validated`,
    { reads: [qualified(fk.referenced)] },
  );
  validateConstraintStep(steps, table, fk.name, { referenced: qualified(fk.referenced) });
}

/** Postgres accepts a foreign key only onto a primary key, a unique constraint or a plain unique index on exactly those columns. */
export function requireReferencedKey(ctx: PlanContext, fk: ForeignKey, field: string): void {
  const wanted = [...fk.referencedColumns].sort().join('\0');
  const same = (cols: string[]) => [...cols].sort().join('\0') === wanted;
  const ok =
    fk.referenced.constraints.some((c) => (c.type === 'p' || c.type === 'u') && same(c.columns)) ||
    fk.referenced.indexes.some(
      (ix) =>
        ix.unique &&
        ix.valid &&
        plainIndexColumns(ix.definition)?.length === fk.referencedColumns.length &&
        same(plainIndexColumns(ix.definition)!),
    );
  if (!ok)
    ctx.fail(
      field,
      `${displayName(fk.referenced)} has no primary key, unique constraint or unique index on (${list(fk.referencedColumns)}); a foreign key must reference one (addUnique first)`,
    );
}

/**
 * Postgres refuses a foreign key whose column types have no usable equality operator ("Key
 * columns ... are of incompatible types: numeric and bigint"), at expand: refused here, at plan
 * time. `fromTypes` are the type oids of the referencing columns (undefined: not known yet).
 */
export function requireCompatibleTypes(
  ctx: PlanContext,
  fromTypes: (number | undefined)[],
  referenced: TableInfo,
  referencedColumns: string[],
  field: string,
): void {
  const facts = ctx.catalog.typeFacts;
  if (!facts) return;
  referencedColumns.forEach((name, i) => {
    const from = fromTypes[i];
    const to = referenced.columns.find((c) => c.name === name);
    if (from === undefined || !to || foreignKeyTypesCompatible(facts, from, to.typeOid)) return;
    const fromName = typeName(ctx, from);
    ctx.fail(
      field,
      `a foreign key from type ${fromName} onto ${displayName(referenced)}.${quoteIdent(name)} of type ${to.type} cannot be implemented: Postgres has no equality operator between them (make the column ${to.type})`,
    );
  });
}

function typeName(ctx: PlanContext, oid: number): string {
  for (const t of ctx.catalog.types?.values() ?? []) if (t.oid === oid) return t.name;
  for (const table of ctx.catalog.tables.values()) for (const c of table.columns) if (c.typeOid === oid) return c.type;
  return `oid ${oid}`;
}

/** Referencing columns without an index starting with them: every delete on the referenced table scans this one. */
export function hasLeadingIndex(table: TableInfo, columns: string[]): boolean {
  return table.indexes.some((ix) => {
    const cols = plainIndexColumns(ix.definition);
    const leading = new Set(cols?.slice(0, columns.length));
    return cols !== undefined && columns.every((c) => leading.has(c));
  });
}

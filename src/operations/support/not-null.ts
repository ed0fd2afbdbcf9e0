import type { TableInfo } from '../../db/catalog.js';
import { displayName, generatedName, quoteIdent, quoteQualified } from '../../db/quote.js';
import { qualified, validateConstraintStep, verifyStep } from './common.js';
import type { StepBuilder } from '../types.js';

/**
 * NOT NULL without a scan under ACCESS EXCLUSIVE (plain SET NOT NULL reads the whole table while
 * holding it): `CHECK (c IS NOT NULL) NOT VALID` (brief), `VALIDATE` (SHARE UPDATE EXCLUSIVE,
 * reads and writes continue), then `SET NOT NULL`, which Postgres 12+ proves from the validated
 * check without reading a row (verified on 15 and 18: no "verifying table" message), and the
 * check is dropped.
 */

export function notNullCheckName(table: TableInfo, column: string): string {
  return generatedName(table.name, column, 'zdm_not_null');
}

export function addNotNullCheck(table: TableInfo, column: string): string {
  return `ALTER TABLE ${quoteQualified(qualified(table))} ADD CONSTRAINT ${quoteIdent(notNullCheckName(table, column))} CHECK (${quoteIdent(column)} IS NOT NULL) NOT VALID`;
}

/** switch: first a readable report of the rows still NULL (a sample), then VALIDATE. */
export function validateNotNull(steps: StepBuilder, table: TableInfo, column: string, hint: string): void {
  const col = quoteIdent(column);
  verifyStep(
    steps,
    table,
    `${col} IS NULL`,
    [column],
    `verify no row of ${displayName(table)} has ${col} NULL`,
    `rows of ${displayName(table)} where ${col} is NULL; ${hint}`,
  );
  validateConstraintStep(steps, table, notNullCheckName(table, column));
}

/**
 * SET NOT NULL, proved by the validated check (no scan). `constraintName`: on Postgres 18, where
 * NOT NULL is a named constraint, `ADD CONSTRAINT name NOT NULL c` restores a given name (it also
 * skips the scan thanks to the check, and is a no-op when that constraint already exists).
 */
export function setNotNullStatement(table: TableInfo, column: string, constraintName?: string): string {
  const tbl = quoteQualified(qualified(table));
  const col = quoteIdent(column);
  return constraintName
    ? `ALTER TABLE ${tbl} ADD CONSTRAINT ${quoteIdent(constraintName)} NOT NULL ${col}`
    : `ALTER TABLE ${tbl} ALTER COLUMN ${col} SET NOT NULL`;
}

export function dropNotNullCheck(table: TableInfo, column: string): string {
  return `ALTER TABLE ${quoteQualified(qualified(table))} DROP CONSTRAINT IF EXISTS ${quoteIdent(notNullCheckName(table, column))}`;
}

/** SET NOT NULL, then drop the helper check. */
export function setNotNullStatements(table: TableInfo, column: string, constraintName?: string): string[] {
  return [setNotNullStatement(table, column, constraintName), dropNotNullCheck(table, column)];
}

/** The name of a column's NOT NULL constraint on Postgres 18+ (none before). */
export function notNullConstraintName(table: TableInfo, column: string): string | undefined {
  return table.constraints.find((c) => c.type === 'n' && c.columns.length === 1 && c.columns[0] === column)?.name;
}

/**
 * Brings NOT NULL back (rollback of a relaxed NOT NULL) without a scan under ACCESS EXCLUSIVE:
 * statement by statement, outside a transaction, each one safe to run again. Fails at VALIDATE,
 * naming the check, while rows with NULL exist; the check then stays and keeps new NULLs out.
 */
export function restoreNotNullStatements(table: TableInfo, column: string): string[] {
  return [
    dropNotNullCheck(table, column),
    addNotNullCheck(table, column),
    `ALTER TABLE ${quoteQualified(qualified(table))} VALIDATE CONSTRAINT ${quoteIdent(notNullCheckName(table, column))}`,
    ...setNotNullStatements(table, column, notNullConstraintName(table, column)),
  ];
}

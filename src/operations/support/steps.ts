import type { TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import type { PlanContext, StepBuilder } from '../types.js';
import * as ddl from './ddl.js';
import { plainIndexColumns } from './common.js';
import { rowKeyColumns } from './row-key.js';
import { distinctSql } from './sync-trigger.js';

/**
 * Steps several operations emit the same way: VALIDATE and verify at switch, NOT NULL through a
 * validated check, indexes built CONCURRENTLY at expand.
 */

const qualified = (table: TableInfo): QualifiedName => ({ schema: table.schema, name: table.name });

export interface ValidateOptions {
  /** A foreign key's referenced table (ROW SHARE during the scan). */
  referenced?: QualifiedName | undefined;
  /** Describe the step without the note that reads and writes continue. */
  short?: boolean;
}

/**
 * VALIDATE CONSTRAINT in its own transaction: SHARE UPDATE EXCLUSIVE on the table (and ROW SHARE
 * on a foreign key's referenced table) during the scan, so reads and writes continue.
 */
export function validateConstraintStep(
  steps: StepBuilder,
  table: TableInfo,
  name: string,
  options: ValidateOptions = {},
): void {
  const t = qualified(table);
  steps.sql('switch', {
    description: `validate constraint ${quoteIdent(name)} on ${displayName(t)}${options.short ? '' : ' (scans the table; reads and writes continue)'}`,
    statements: [ddl.validateConstraint(t, name)],
    transactional: true,
    impact: ddl.validateImpact(table, options.referenced),
  });
}

export interface VerifyOptions {
  /** Other tables the condition reads (a foreign key's referenced table), under ACCESS SHARE. */
  reads?: QualifiedName[];
  /** A btree index that answers the condition: the check reads through it, not the whole table. */
  index?: string | undefined;
}

/** A read-only check at switch: rows matching `violation` stop the phase with a sample of them. */
export function verifyStep(
  steps: StepBuilder,
  table: TableInfo,
  violation: string,
  sampleColumns: string[],
  description: string,
  message: string,
  options: VerifyOptions = {},
): void {
  const impact = options.index ? ddl.briefLocks(ddl.treeLocks(table, 'ACCESS SHARE')) : ddl.readScanImpact(table);
  const reads = (options.reads ?? []).map((r) => ({ relation: r, mode: 'ACCESS SHARE' as const }));
  steps.verify('switch', {
    description,
    table: qualified(table),
    violation,
    sampleColumns: [...new Set([...rowKeyColumns(table), ...sampleColumns])],
    message,
    ...(options.index ? { index: options.index } : {}),
    impact: { ...impact, locks: [...impact.locks, ...reads] },
  });
}

/** A valid, non-partial btree index of `table` whose first key column is `column` (it answers `column IS NULL`). */
export function leadingBtreeIndex(table: TableInfo, column: string): string | undefined {
  return table.indexes.find(
    (ix) => ix.valid && / USING btree /.test(ix.definition) && plainIndexColumns(ix.definition)?.[0] === column,
  )?.name;
}

/**
 * The verify step before switch: no row where a new column differs from `value`, what its expression
 * gives (`via`: the type has no = operator, compared as this type: compareVia).
 */
export function verifyInSync(
  steps: StepBuilder,
  table: TableInfo,
  pairs: { column: string; value: string; via: string | undefined }[],
  sample: string[],
  message: string,
): void {
  verifyStep(
    steps,
    table,
    pairs.map((p) => distinctSql(quoteIdent(p.column), p.value, p.via)).join(' OR '),
    sample,
    `verify no row of ${displayName(table)} has ${pairs.map((p) => quoteIdent(p.column)).join(', ')} out of step`,
    message,
  );
}

/** switch: `CHECK (col IS NOT NULL) NOT VALID` for each column, in one brief transaction, then one VALIDATE each. */
export function addNotNullChecks(ctx: PlanContext, steps: StepBuilder, table: TableInfo, columns: string[]): void {
  if (columns.length === 0) return;
  const t = qualified(table);
  const names = columns.map((c) => ddl.notNullCheckName(t, c));
  steps.sql('switch', {
    description: `add NOT VALID CHECK (... IS NOT NULL) on ${displayName(t)} for ${columns.map(quoteIdent).join(', ')} (checked for new writes at once, for existing rows by VALIDATE next)`,
    statements: columns.map((c, i) => ddl.addNotNullCheck(t, c, names[i])),
    transactional: true,
    impact: ddl.treeBriefLock(table),
    undo: { statements: names.map((n) => ddl.dropConstraint(t, n, { ifExists: true })), transactional: true },
  });
  for (const name of names) validateConstraintStep(steps, table, name, { short: true });
}

/**
 * switch: first a readable report of the rows still NULL (a sample), read through `index` when
 * one starts with the column, then VALIDATE. No index for a column the backfill fills: every row
 * it updated leaves a dead NULL entry in the index (until VACUUM), and reading those is a pass
 * over the table.
 */
export function validateNotNull(
  steps: StepBuilder,
  table: TableInfo,
  column: string,
  hint: string,
  index?: string,
): void {
  const col = quoteIdent(column);
  verifyStep(
    steps,
    table,
    `${col} IS NULL`,
    [column],
    `verify no row of ${displayName(table)} has ${col} NULL`,
    `rows of ${displayName(table)} where ${col} is NULL; ${hint}`,
    { index },
  );
  validateConstraintStep(steps, table, ddl.notNullCheckName(table, column));
}

/**
 * expand: DROP NOT NULL (brief). Its undo brings NOT NULL back through a validated check, outside a
 * transaction, and stops at VALIDATE while rows with NULL exist (ddl.restoreNotNullStatements).
 */
export function dropNotNullStep(
  ctx: PlanContext,
  steps: StepBuilder,
  table: TableInfo,
  column: string,
  description: string,
): void {
  const t = qualified(table);
  steps.sql('expand', {
    description,
    statements: [ddl.dropNotNull(t, column)],
    transactional: true,
    impact: ddl.treeBriefLock(table),
    undo: {
      statements: ddl.restoreNotNullStatements(table, column),
      transactional: false,
      // VALIDATE reads the table (SHARE UPDATE EXCLUSIVE); the check's ADD and DROP and SET NOT NULL are brief.
      impact: { ...ddl.treeBriefLock(table), scansTable: true, estimatedRows: table.estimatedRows },
    },
  });
}

/**
 * An index built CONCURRENTLY at expand (createIndex, addUnique, addPrimaryKey, addColumn
 * unique, the copies of renameColumn and changeColumnType): outside a transaction, SHARE UPDATE
 * EXCLUSIVE only, an INVALID leftover of a failed build dropped and rebuilt by the executor;
 * rollback drops it CONCURRENTLY.
 */
export function buildIndexStep(
  steps: StepBuilder,
  table: TableInfo,
  name: string,
  statement: string,
  description: string,
): void {
  const index = { schema: table.schema, name };
  steps.createIndex('expand', {
    description,
    index,
    table: qualified(table),
    statement,
    impact: ddl.indexBuildImpact(table),
    undo: { statements: [ddl.dropIndexConcurrently(index)], transactional: false },
  });
}

/** `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS n ON s.t (a, b)`, for a constraint to take over. */
export function buildUniqueIndexStep(
  steps: StepBuilder,
  table: TableInfo,
  name: string,
  columns: string[],
  purpose: string,
): void {
  const cols = columns.map(quoteIdent).join(', ');
  buildIndexStep(
    steps,
    table,
    name,
    `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${quoteIdent(name)} ON ${quoteQualified(qualified(table))} (${cols})`,
    `build unique index ${quoteIdent(name)} on ${displayName(table)} (${cols}) concurrently, for ${purpose}`,
  );
}

import type { TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, quoteQualified } from '../../db/quote.js';
import { indexBuildImpact, qualified } from './common.js';
import type { StepBuilder } from '../types.js';

/**
 * An index built CONCURRENTLY at expand (createIndex, addUnique, addPrimaryKey, addColumn
 * unique): outside a transaction, SHARE UPDATE EXCLUSIVE only, an INVALID leftover of a failed
 * build dropped and rebuilt by the executor; rollback drops it CONCURRENTLY.
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
    impact: indexBuildImpact(table),
    undo: { statements: [`DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified(index)}`], transactional: false },
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

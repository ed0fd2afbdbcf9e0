import type { ColumnInfo, TableInfo } from '../../db/catalog.js';
import { displayName, parseColumnName, quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import type { Impact, LockTaken } from '../../plan/types.js';
import { parseColumnType, parseExpression, type ColumnTypeInfo, type ExpressionInfo } from '../../sql/expression.js';
import type { PlanContext, StepBuilder } from '../types.js';

/** Helpers shared by the operation planners: user SQL checks, impacts, VALIDATE steps. */

export function qualified(table: TableInfo): QualifiedName {
  return { schema: table.schema, name: table.name };
}

/**
 * A user-written expression in the operation's `field`, checked at plan time: one expression,
 * and every column it names exists on the table (or is one of `extra`, e.g. the column being added).
 */
export function userExpression(
  ctx: PlanContext,
  text: string,
  field: string,
  table: TableInfo,
  extra: string[] = [],
): ExpressionInfo {
  let info: ExpressionInfo;
  try {
    info = parseExpression(text);
  } catch (err) {
    return ctx.fail(field, `${JSON.stringify(text)} ${(err as Error).message}`);
  }
  // Inside a subquery, names may be other tables' columns: Postgres checks those at expand.
  if (!info.subquery) {
    const known = new Set([...table.columns.map((c) => c.name), ...extra]);
    const missing = [...info.columns].filter((c) => !known.has(c));
    if (missing.length > 0)
      ctx.fail(
        field,
        `${JSON.stringify(text)} uses ${missing.map((c) => `column ${quoteIdent(c)}`).join(', ')}, which table ${displayName(table)} does not have`,
      );
  }
  return info;
}

export function userType(ctx: PlanContext, text: string, field: string): ColumnTypeInfo {
  let info: ColumnTypeInfo;
  try {
    info = parseColumnType(text);
  } catch (err) {
    return ctx.fail(field, `${JSON.stringify(text)} ${(err as Error).message}`);
  }
  ctx.type(text, field);
  return info;
}

/** Function names in expressions, for refs() (their volatility is read before planning); bad SQL is reported by plan(). */
export function expressionFunctions(...texts: (string | undefined)[]): string[] {
  return texts.flatMap((text) => {
    if (text === undefined) return [];
    try {
      return parseExpression(text).functions;
    } catch {
      return [];
    }
  });
}

/** A step that reads the whole table while holding `locks` (none of them blocks DML unless stated). */
export function scanImpact(table: TableInfo, locks: LockTaken[]): Impact {
  return { locks, lockDuration: 'scan', rewritesTable: false, scansTable: true, estimatedRows: table.estimatedRows };
}

/** CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE, which no application DML waits for. */
export function indexBuildImpact(table: TableInfo): Impact {
  return scanImpact(table, [{ relation: qualified(table), mode: 'SHARE UPDATE EXCLUSIVE' }]);
}

/**
 * VALIDATE CONSTRAINT in its own transaction: SHARE UPDATE EXCLUSIVE on the table (and ROW SHARE
 * on a foreign key's referenced table) during the scan, so reads and writes continue.
 */
export function validateConstraintStep(
  steps: StepBuilder,
  table: TableInfo,
  name: string,
  referenced?: QualifiedName,
): void {
  const t = qualified(table);
  steps.sql('switch', {
    description: `validate constraint ${quoteIdent(name)} on ${displayName(t)} (scans the table; reads and writes continue)`,
    statements: [`ALTER TABLE ${quoteQualified(t)} VALIDATE CONSTRAINT ${quoteIdent(name)}`],
    transactional: true,
    impact: scanImpact(table, [
      { relation: t, mode: 'SHARE UPDATE EXCLUSIVE' },
      ...(referenced ? [{ relation: referenced, mode: 'ROW SHARE' as const }] : []),
    ]),
  });
}

/** A read-only check at switch: rows matching `violation` stop the phase with a sample of them. */
export function verifyStep(
  steps: StepBuilder,
  table: TableInfo,
  violation: string,
  sampleColumns: string[],
  description: string,
  message: string,
): void {
  const t = qualified(table);
  steps.verify('switch', {
    description,
    table: t,
    violation,
    sampleColumns: [...new Set([...(table.primaryKey?.columns ?? []), ...sampleColumns])],
    message,
    impact: scanImpact(table, [{ relation: t, mode: 'ACCESS SHARE' }]),
  });
}

/** Fails when a constraint or index of that name already exists on the table. */
export function requireFreeName(ctx: PlanContext, table: TableInfo, name: string, field: string): void {
  if (table.constraints.some((c) => c.name === name))
    ctx.fail(field, `constraint ${quoteIdent(name)} already exists on table ${displayName(table)}`);
  if (table.indexes.some((i) => i.name === name))
    ctx.fail(field, `an index named ${quoteIdent(name)} already exists on table ${displayName(table)}`);
}

/** The columns listed in the operation's `field` (`columns[0]`, ...), each existing, none twice. */
export function userColumns(ctx: PlanContext, table: TableInfo, names: string[], field: string): ColumnInfo[] {
  const columns = names.map((c, i) => ctx.column(table, parseColumnName(c), `${field}[${i}]`));
  if (new Set(columns.map((c) => c.name)).size !== columns.length) ctx.fail(field, 'a column is listed twice');
  return columns;
}

import type { ColumnInfo, TableInfo } from '../../db/catalog.js';
import { displayName, quoteIdent, type QualifiedName, resolveName } from '../../db/quote.js';
import { parseColumnType, parseExpression, type ColumnTypeInfo, type ExpressionInfo } from '../../sql/expression.js';
import { parseSql } from '../../sql/parser.js';
import type { Node } from '../../sql/rewrite.js';
import type { PlanContext } from '../types.js';

/** Helpers shared by the operation planners: checks of what the user wrote (columns, expressions, types, names). */

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
        `${JSON.stringify(text)} uses ${missing.map((c) => `column ${quoteIdent(c)}`).join(', ')}, ` +
          `which table ${displayName(table)} does not have`,
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

/**
 * Function names in expressions, for refs() (their volatility is read before planning); bad SQL is
 * reported by plan().
 */
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

/** Fails when a constraint or index of that name already exists on the table. */
export function requireFreeName(ctx: PlanContext, table: TableInfo, name: string, field: string): void {
  if (table.constraints.some((c) => c.name === name))
    ctx.fail(field, `constraint ${quoteIdent(name)} already exists on table ${displayName(table)}`);
  if (table.indexes.some((i) => i.name === name))
    ctx.fail(field, `an index named ${quoteIdent(name)} already exists on table ${displayName(table)}`);
}

/** The column a name in a file means on `table` (db/quote.ts resolveName: spelled exactly, else the SQL reading). */
export function spelledColumn(table: TableInfo, written: string): string {
  return resolveName(
    written,
    table.columns.map((c) => c.name),
  );
}

/** The constraint a name in a file means on `table`, by the same rule as columnName. */
export function spelledConstraint(table: TableInfo, written: string): string {
  return resolveName(
    written,
    table.constraints.map((c) => c.name),
  );
}

/** The columns listed in the operation's `field` (`columns[0]`, ...), each existing, none twice. */
export function userColumns(ctx: PlanContext, table: TableInfo, names: string[], field: string): ColumnInfo[] {
  const columns = names.map((c, i) => ctx.column(table, spelledColumn(table, c), `${field}[${i}]`));
  if (new Set(columns.map((c) => c.name)).size !== columns.length) ctx.fail(field, 'a column is listed twice');
  return columns;
}

/** Key columns of a non-partial index on plain columns, or undefined for expression or partial indexes. */
export function plainIndexColumns(definition: string): string[] | undefined {
  const stmt = parseSql(definition).stmts?.[0]?.stmt as { IndexStmt?: Node } | undefined;
  if (!stmt?.IndexStmt || stmt.IndexStmt.whereClause) return undefined;
  const names = (stmt.IndexStmt.indexParams as Node[]).map((p) => (p.IndexElem as Node).name as string | undefined);
  return names.every((n) => n !== undefined) ? (names as string[]) : undefined;
}

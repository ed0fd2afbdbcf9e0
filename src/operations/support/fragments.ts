import { quoteIdent } from '../../db/quote.js';
import { checkExpression, expressionColumns, parseTypeName } from '../../sql/expression.js';
import type { PlanContext } from '../types.js';

/**
 * User-written SQL fragments of an operation, checked at plan time: a problem is reported against
 * the fragment's field (`operations[2].to[0].up`) before anything runs.
 */

/** The type as the deparser prints it, or a plan error on `field`. */
export function checkedType(ctx: PlanContext, field: string, text: string): string {
  let sql: string;
  try {
    sql = parseTypeName(text).sql;
  } catch (err) {
    return ctx.fail(field, (err as Error).message);
  }
  ctx.type(text, field);
  return sql;
}

/** The expression, checked to be one expression naming only `columns` (none: no column at all). */
export function checkedExpression(ctx: PlanContext, field: string, text: string, columns: ReadonlySet<string>): string {
  try {
    checkExpression(text);
    const unknown = [...expressionColumns(text)].filter((c) => !columns.has(c));
    if (unknown.length > 0) {
      throw new Error(
        columns.size === 0
          ? `cannot refer to columns (${unknown.map(quoteIdent).join(', ')})`
          : `refers to ${unknown.map(quoteIdent).join(', ')}, ` +
              `which ${unknown.length === 1 ? 'is not a column' : 'are not columns'} of the table`,
      );
    }
    return text;
  } catch (err) {
    return ctx.fail(field, (err as Error).message);
  }
}

import { z } from 'zod';
import { identifierBytes, MAX_IDENTIFIER_BYTES, parseColumnName, parseObjectName } from '../db/quote.js';

function checkLength(name: string, ctx: z.RefinementCtx): void {
  if (identifierBytes(name) > MAX_IDENTIFIER_BYTES) {
    ctx.addIssue({
      code: 'custom',
      message:
        `"${name}" is ${identifierBytes(name)} bytes; Postgres identifiers are at ` +
        `most ${MAX_IDENTIFIER_BYTES} bytes and longer ones are silently truncated`,
    });
  }
}

/**
 * A table, index or type name as written in a migration file: `users`, `billing.users`,
 * `"Billing"."User Table"`. Unquoted parts fold to lower case, as in SQL.
 */
export const objectName = z.string().superRefine((value, ctx) => {
  try {
    const parsed = parseObjectName(value);
    if (parsed.schema !== undefined) checkLength(parsed.schema, ctx);
    checkLength(parsed.name, ctx);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** A column name: one identifier, unquoted folds to lower case, `"User Email"` keeps its case. */
export const columnName = z.string().superRefine((value, ctx) => {
  try {
    checkLength(parseColumnName(value), ctx);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

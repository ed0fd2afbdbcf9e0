import { z } from 'zod';
import { quoteIdent, quoteLiteral } from '../../db/quote.js';
import type { PlanContext } from '../types.js';

/** `{"fillfactor": 70, "deduplicate_items": false}`: an index's storage parameters (WITH (...)). */
export const storageParametersSchema = z.record(
  z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a storage parameter name, e.g. "fillfactor"'),
  z.union([z.number(), z.boolean(), z.string()]),
);

/** The parameters each built-in access method accepts (CREATE INDEX, "Index Storage Parameters"). */
const KNOWN: Record<string, string[]> = {
  btree: ['fillfactor', 'deduplicate_items'],
  hash: ['fillfactor'],
  gist: ['fillfactor', 'buffering'],
  spgist: ['fillfactor'],
  gin: ['fastupdate', 'gin_pending_list_limit'],
  brin: ['pages_per_range', 'autosummarize'],
};

/**
 * ` WITH (name = value, ...)`, or '' without parameters. A parameter the built-in method does not
 * know is refused at plan time (Postgres would refuse it only when the index is built).
 */
export function storageParametersClause(
  ctx: PlanContext,
  method: string,
  params: Record<string, number | boolean | string> | undefined,
  field: string,
): string {
  const entries = Object.entries(params ?? {});
  if (entries.length === 0) return '';
  const known = KNOWN[method];
  const parts = entries.map(([name, value]) => {
    if (known && !known.includes(name))
      ctx.fail(`${field}.${name}`, `${method} indexes take ${known.join(', ')}, not ${JSON.stringify(name)}`);
    const text = typeof value === 'string' ? quoteLiteral(value) : String(value);
    return `${quoteIdent(name)} = ${text}`;
  });
  return ` WITH (${parts.join(', ')})`;
}

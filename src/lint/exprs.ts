/** Expression helpers: NOT NULL proofs in CHECKs, and the volatility of DEFAULT expressions. */
import type { Node } from 'libpg-query';
import { as, strings, unwrap, walk } from './ast.js';
import type { Volatility } from './volatility.js';

/** Columns a CHECK expression proves non-null: `c IS NOT NULL`, possibly AND-ed together. */
export function notNullColumnsOfCheck(expr: Node | undefined): string[] {
  const u = unwrap(expr);
  if (!u) return [];
  const [tag, body] = u;
  if (tag === 'NullTest' && body.nulltesttype === 'IS_NOT_NULL') {
    const fields = strings(as<{ fields?: Node[] }>(body.arg as Node, 'ColumnRef')?.fields);
    return fields.length === 1 && fields[0] ? [fields[0]] : [];
  }
  if (tag === 'BoolExpr' && body.boolop === 'AND_EXPR')
    return ((body.args as Node[]) ?? []).flatMap(notNullColumnsOfCheck);
  return [];
}

export interface VolatilityVerdict {
  volatile: boolean;
  /** The first function that makes it volatile (or unknown), for the message. */
  culprit: string | undefined;
  /** The culprit is not a known built-in (user or extension function): counted as volatile. */
  unknown: boolean;
}

/**
 * Whether a DEFAULT expression is volatile. Literals, casts, operators and SQL value functions
 * (CURRENT_TIMESTAMP, ...) are at most STABLE; a function call is judged by the oracle, and an
 * unknown function counts as volatile (it may be a user function or an extension's, such as
 * uuid_generate_v4()).
 */
export function defaultVolatility(
  expr: Node | undefined,
  oracle: (name: string) => Volatility | undefined,
): VolatilityVerdict {
  let culprit: string | undefined;
  let unknown = false;
  walk(expr, (tag, body) => {
    if (culprit) return false;
    if (tag === 'FuncCall') {
      const parts = strings(body.funcname as Node[]);
      const name = parts[parts.length - 1] ?? '';
      const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      // A schema other than pg_catalog means a user/extension function: unknown, so volatile.
      const v = schema && schema !== 'pg_catalog' ? undefined : oracle(name);
      if (v !== 'i' && v !== 's') {
        culprit = `${parts.join('.')}()`;
        unknown = v === undefined;
      }
    }
    return undefined;
  });
  return { volatile: culprit !== undefined, culprit, unknown };
}

/** Columns an expression reads (`lower(email) <> ''` → ['email']): the last name of each column reference. */
export function columnsOfExpr(expr: Node | undefined): string[] {
  const out = new Set<string>();
  walk(expr, (tag, body) => {
    if (tag !== 'ColumnRef') return;
    const last = strings(body.fields as Node[]).pop();
    if (last) out.add(last);
  });
  return [...out];
}

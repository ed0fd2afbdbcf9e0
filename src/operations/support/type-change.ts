import type { TypeName } from '../../sql/expression.js';

/**
 * Which column type changes Postgres makes without rewriting the table or rebuilding its indexes:
 * the list verified on PG 15 by comparing the table's relfilenode before and after each change (see
 * the change-column-type rule in src/lint/rules/README.md). Everything else is a rewrite under ACCESS EXCLUSIVE and goes through a shadow column.
 *
 * A CHECK constraint on the column is re-verified by a full scan even then (verified on PG 15 and
 * 18: `DEBUG: verifying table`), so the caller also requires the column to have none. Foreign keys
 * on either side are not re-checked for these binary-coercible changes (verified likewise).
 */
export function changesWithoutRewrite(from: TypeName, to: TypeName): boolean {
  if (from.isArray || to.isArray || from.names.length !== 1 || to.names.length !== 1) return false;
  const a = from.names[0]!;
  const b = to.names[0]!;
  const [n] = from.typmods;
  const [m] = to.typmods;
  if (a === 'varchar' || a === 'text') {
    if (b === 'text') return true;
    // varchar(n) -> varchar(m >= n) or unbounded varchar; text -> unbounded varchar.
    if (b === 'varchar') return m === undefined || (a === 'varchar' && n !== undefined && m >= n);
    return false;
  }
  if (a === 'numeric' && b === 'numeric') {
    if (to.typmods.length === 0) return true;
    const [p, s = 0] = from.typmods;
    const [q, t = 0] = to.typmods;
    // numeric(p,s) -> numeric(q >= p, s): the scale must stay, or stored values would change.
    return p !== undefined && q !== undefined && q >= p && s === t;
  }
  if (a === 'cidr' && b === 'inet') return true;
  if (a === b && ['timestamp', 'timestamptz', 'time', 'timetz'].includes(a)) {
    // Precision up, removed, or the maximum (6, what no precision means): stored values need no
    // rounding (Postgres's TemporalSimplify; timestamp -> timestamp(6) kept the relfilenode on 15 and 18).
    return m === undefined || m === 6 || (n !== undefined && m >= n);
  }
  return false;
}

/** Integer types an identity column or a sequence can have, narrowest first. */
export const INTEGER_TYPES = ['int2', 'int4', 'int8'] as const;

/** `int4` for `integer`, `int8` for `bigint` ... (the parser's internal names), else undefined. */
export function integerType(type: TypeName): (typeof INTEGER_TYPES)[number] | undefined {
  const name = type.names.length === 1 && !type.isArray ? type.names[0] : undefined;
  return INTEGER_TYPES.find((t) => t === name);
}

/**
 * Conversions that cannot fail for any value, so the sync trigger needs no error handling: the
 * widenings Postgres makes in place among them (a partitioned table's indexed column takes the
 * shadow column for those too).
 */
export function conversionCannotFail(from: TypeName, to: TypeName): boolean {
  if (changesWithoutRewrite(from, to)) return true;
  const a = integerType(from);
  const b = integerType(to);
  if (a && b) return INTEGER_TYPES.indexOf(b) >= INTEGER_TYPES.indexOf(a);
  if (a && to.names.length === 1 && to.names[0] === 'numeric' && to.typmods.length === 0) return true;
  if (from.names[0] === 'float4' && to.names[0] === 'float8') return true;
  return to.names.length === 1 && to.names[0] === 'text' && !to.isArray;
}

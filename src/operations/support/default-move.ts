import type { ColumnInfo, SequenceInfo } from '../../db/catalog.js';
import { quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '../../db/quote.js';
import * as ddl from './ddl.js';
import { INTEGER_TYPES } from './type-change.js';

/**
 * Moving a column's default, identity or serial sequence from the old column to its replacement
 * at the swap of changeColumnType, and back on rollback. Both lists run in the swap transaction
 * after (swap) or before (back) the column renames, so they name the columns `hidden` (the old
 * column's name during the window) and `current` (the name both application versions use).
 *
 * - identity: Postgres cannot move an identity sequence between columns (its dependency is
 *   internal), so the replacement gets a new identity under a temporary sequence name with the same
 *   options (bounds widened when they were the old type's), takes over the current value
 *   (setval), the old identity is dropped (dropping its sequence), and the new sequence takes the
 *   old name. Rollback does the same in reverse. The sequence keeps name, options and position, not
 *   its OID, grants or comment.
 * - serial: the default `nextval(...)` moves, the sequence's OWNED BY follows it, and its type
 *   widens to the new integer type (ALTER SEQUENCE ... AS, which widens bounds that were the old
 *   type's).
 * - any other default: moved, converted with the `using` expression (computed by the caller).
 */
export interface DefaultMove {
  swap: string[];
  back: string[];
}

export interface DefaultMoveInput {
  table: QualifiedName;
  column: ColumnInfo;
  hidden: string;
  current: string;
  /** The new type's internal integer name (`int8`), when it is an integer type. */
  newInteger: (typeof INTEGER_TYPES)[number] | undefined;
  /** The default converted to the new type, for a plain default. */
  convertedDefault: string | undefined;
}

const BOUNDS: Record<string, [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
};
const SEQUENCE_TYPE: Record<string, (typeof INTEGER_TYPES)[number]> = {
  smallint: 'int2',
  integer: 'int4',
  bigint: 'int8',
};
const TYPE_SQL: Record<string, string> = { int2: 'smallint', int4: 'integer', int8: 'bigint' };

export function defaultMove(input: DefaultMoveInput): DefaultMove {
  const { table, column, hidden, current } = input;
  const seq = column.ownedSequence;
  if (column.identity && seq && column.sequence) {
    const kind = column.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT';
    const oldType = SEQUENCE_TYPE[column.sequence.type] ?? 'int8';
    const widened = widen(column.sequence, oldType, input.newInteger ?? oldType);
    const temp: QualifiedName = { schema: seq.schema, name: ddl.tempName(seq.name) };
    return {
      swap: moveIdentity(table, kind, hidden, current, seq, temp, widened),
      back: moveIdentity(table, kind, current, hidden, seq, temp, column.sequence),
    };
  }
  if (column.default === null) return { swap: [], back: [] };
  const owned = seq && column.default.includes('nextval(');
  if (owned) {
    const seqType = SEQUENCE_TYPE[column.sequence?.type ?? ''];
    const retype =
      seqType && input.newInteger && INTEGER_TYPES.indexOf(input.newInteger) > INTEGER_TYPES.indexOf(seqType);
    const s = quoteQualified(seq);
    return {
      swap: [
        ddl.dropDefault(table, hidden),
        ddl.setDefault(table, current, column.default),
        ddl.sequenceOwnedBy(seq, table, current),
        ...(retype ? [`ALTER SEQUENCE ${s} AS ${TYPE_SQL[input.newInteger!]}`] : []),
      ],
      back: [
        ...(retype ? [`ALTER SEQUENCE ${s} AS ${TYPE_SQL[seqType]}`] : []),
        ddl.sequenceOwnedBy(seq, table, hidden),
        ddl.dropDefault(table, current),
        ddl.setDefault(table, hidden, column.default),
      ],
    };
  }
  return {
    swap: [ddl.dropDefault(table, hidden), ddl.setDefault(table, current, input.convertedDefault ?? column.default)],
    back: [ddl.dropDefault(table, current), ddl.setDefault(table, hidden, column.default)],
  };
}

/** Identity moves from column `from` to column `to`; the sequence ends under its own name. */
function moveIdentity(
  table: QualifiedName,
  kind: string,
  from: string,
  to: string,
  seq: QualifiedName,
  temp: QualifiedName,
  options: SequenceInfo,
): string[] {
  return [
    `ALTER SEQUENCE ${quoteQualified(seq)} RENAME TO ${quoteIdent(temp.name)}`,
    ddl.addIdentity(table, to, kind, seq, options),
    `SELECT setval(${quoteLiteral(quoteQualified(seq))}, last_value, is_called) FROM ${quoteQualified(temp)}`,
    ddl.dropIdentity(table, from),
  ];
}

/** Bounds that were the old type's limits become the new type's (as ALTER SEQUENCE ... AS does). */
function widen(options: SequenceInfo, from: string, to: string): SequenceInfo {
  const [oldMin, oldMax] = BOUNDS[from]!;
  const [newMin, newMax] = BOUNDS[to]!;
  return {
    ...options,
    min: BigInt(options.min) === oldMin ? String(newMin) : options.min,
    max: BigInt(options.max) === oldMax ? String(newMax) : options.max,
  };
}

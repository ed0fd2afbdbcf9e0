import { quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '../db/quote.js';
import type { BackfillStep } from './types.js';

/**
 * The setting a backfill batch turns on for its own transaction (SET LOCAL): the dual-write
 * trigger's WHEN clause (operations/support/sync-trigger.ts) skips the rows it writes.
 */
export const BACKFILL_SETTING = 'zdm.backfill';

/**
 * The two statements of one keyset batch. Literal range bounds on the primary key give the
 * planner exact selectivity, so every batch is an index range scan (the CTE-join form pgroll uses
 * flipped to a hash join over a sequential scan of the table at 50k rows per batch, measured on a
 * 2 M-row table, where this form kept its index scan at 50k and 100k).
 *
 * 1. upper bound: the key `batchSize` rows past the cursor (an index-only scan of that many
 *    entries), or no row when fewer remain: then the batch runs to the end of the table;
 * 2. the UPDATE of the rows in (cursor, bound] that still need it (`pending`), so rows the sync
 *    trigger already wrote are not rewritten.
 */
export interface BatchSql {
  bound: string;
  /** The bound query's parameters: from the range's cursor and ceiling (null: none) and the batch size. */
  boundParams(cursor: string[] | null, ceiling: string[] | null, size: number): unknown[];
  /** The bound query with those parameters written in as literals, to send in one message with
   * other statements (the simple protocol takes no parameters). */
  boundLiteral(cursor: string[] | null, ceiling: string[] | null, size: number): string;
  /** Values in the bound's row (`k0`, `k1`, ...): the next cursor. */
  width: number;
  update: (hasUpper: boolean) => string;
  updateParams(cursor: string[] | null, upper: string[] | null): unknown[];
}

/** `hasCeiling`: the batch stays at or below a chunk's upper key (parallel workers); its
 * parameters follow the cursor's in the bound query. `relation`: the table the batch reads and
 * updates, a leaf partition of a partitioned `step.table` (each batch stays within one). */
export function batchSql(
  step: BackfillStep,
  hasCursor: boolean,
  hasCeiling = false,
  relation: QualifiedName = step.table,
): BatchSql {
  if (step.walk === 'ctid') return ctidBatchSql(step, relation, hasCursor, hasCeiling);
  const table = quoteQualified(relation);
  const keys = step.key.map((k) => quoteIdent(k.name));
  const tuple = (list: string[]) => (list.length === 1 ? list[0]! : `(${list.join(', ')})`);
  const params = (start: number, slot: Slot = parameter) =>
    tuple(step.key.map((k, i) => `${slot(start + i)}::${k.type}`));
  const n = step.key.length;
  const after = (slot: Slot = parameter) => (hasCursor ? `${tuple(keys)} > ${params(1, slot)}` : 'true');
  const ceilingStart = hasCursor ? n + 1 : 1;
  const ceiling = (slot: Slot) => (hasCeiling ? ` AND ${tuple(keys)} <= ${params(ceilingStart, slot)}` : '');
  const offsetParam = ceilingStart + (hasCeiling ? n : 0);
  const bound = (slot: Slot) =>
    `SELECT ${step.key.map((k, i) => `${quoteIdent(k.name)}::text AS k${i}`).join(', ')} FROM ${table} ` +
    `WHERE ${after(slot)}${ceiling(slot)} ORDER BY ${keys.join(', ')} OFFSET ${slot(offsetParam)} LIMIT 1`;
  const boundParams = (cursor: string[] | null, top: string[] | null, size: number) => [
    ...(cursor ?? []),
    ...(top ?? []),
    size - 1,
  ];
  // A row comparison is estimated from its first column alone, and the two bounds are not seen as
  // one range: a mid-table batch of a composite key read as a quarter of the table (751,808 rows for
  // 10,000 on 3M). The leading column's own range, implied by the tuple bounds, gives the planner
  // the batch's real size, so the plan stays an index range scan however large the table.
  const leading = (op: string, start: number) => (n > 1 ? [`${keys[0]} ${op} $${start}::${step.key[0]!.type}`] : []);
  const update = (hasUpper: boolean) => {
    const upperStart = hasCursor ? n + 1 : 1;
    const conditions = [
      ...(hasCursor ? [...leading('>=', 1), after()] : []),
      ...(hasUpper ? [...leading('<=', upperStart), `${tuple(keys)} <= ${params(upperStart)}`] : []),
      `(${step.pending})`,
    ];
    return `UPDATE ${table} SET ${assignments(step)} WHERE ${conditions.join(' AND ')}`;
  };
  return {
    bound: bound(parameter),
    boundParams,
    boundLiteral: (cursor, top, size) => bound(literals(boundParams(cursor, top, size))),
    width: n,
    update,
    updateParams: (cursor, upper) => [...(cursor ?? []), ...(upper ?? [])],
  };
}

/** How a statement refers to its `index`th value (from 1): a parameter, or the value as a literal. */
type Slot = (index: number) => string;

const parameter: Slot = (index) => `$${index}`;

function literals(values: unknown[]): Slot {
  return (index) => quoteLiteral(String(values[index - 1]));
}

function assignments(step: BackfillStep): string {
  return step.assignments.map((a) => `${quoteIdent(a.column)} = ${a.expression}`).join(', ');
}

/**
 * A batch of a table with no key to walk: a range of heap blocks, [cursor, bound), read with a
 * TID range scan (PostgreSQL 14+; the planner refuses older servers). The cursor is two numbers:
 * the next block and the table's block count when the backfill started, fixed by the first batch
 * and carried in every cursor, so the walk ends there: rows in later blocks were written after the
 * backfill began, by the application (the dual-write trigger filled their new columns) or by the
 * backfill's own updates (not pending any more), and re-reading them would chase its own tail.
 *
 * The bound is the cursor plus the blocks that hold about `size` rows (pg_class's rows per page;
 * 32-byte rows when the table was never analyzed, so an unknown table gets small batches, which
 * the sizer grows); no row when the range ends before that: the batch then runs to its end.
 */
function ctidBatchSql(step: BackfillStep, relation: QualifiedName, hasCursor: boolean, hasCeiling: boolean): BatchSql {
  const table = quoteQualified(relation);
  const regclass = `${quoteLiteral(table)}::regclass`;
  const next = hasCursor ? 3 : 1;
  const sizeParam = next + (hasCeiling ? 1 : 0);
  const perPage =
    `CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE ` +
    `current_setting('block_size')::int / 32 END`;
  const bound = (slot: Slot) => {
    const lo = hasCursor ? `${slot(1)}::bigint` : '0::bigint';
    const last = hasCursor
      ? `${slot(2)}::bigint`
      : `pg_relation_size(${regclass}) / current_setting('block_size')::bigint`;
    const limit = hasCeiling ? `least(s.last, ${slot(next)}::bigint)` : 's.last';
    return (
      `SELECT (s.lo + s.n)::text AS k0, s.last::text AS k1 FROM (` +
      `SELECT ${lo} AS lo, ${last} AS last, greatest(1, ceil(${slot(sizeParam)}::float8 / ` +
      `greatest(1, ${perPage})))::bigint AS n ` +
      `FROM pg_class c WHERE c.oid = ${regclass}) s WHERE s.lo + s.n < ${limit}`
    );
  };
  const boundParams = (cursor: string[] | null, ceiling: string[] | null, size: number) => [
    ...(cursor ?? []),
    ...(ceiling ? [ceiling[0]] : []),
    size,
  ];
  const update = (hasUpper: boolean) => {
    const conditions = [
      ...(hasCursor ? ['ctid >= $1::tid'] : []),
      ...(hasUpper ? [`ctid < $${hasCursor ? 2 : 1}::tid`] : []),
      `(${step.pending})`,
    ];
    return `UPDATE ${table} SET ${assignments(step)} WHERE ${conditions.join(' AND ')}`;
  };
  const tid = (block: string) => `(${block},0)`;
  return {
    bound: bound(parameter),
    boundParams,
    boundLiteral: (cursor, ceiling, size) => bound(literals(boundParams(cursor, ceiling, size))),
    width: 2,
    update,
    updateParams: (cursor, upper) => [...(cursor ? [tid(cursor[0]!)] : []), ...(upper ? [tid(upper[0]!)] : [])],
  };
}

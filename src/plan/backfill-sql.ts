import { quoteIdent, quoteQualified } from '../db/quote.js';
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
  update: (hasUpper: boolean) => string;
}

/** `hasCeiling`: the batch stays at or below a chunk's upper key (parallel workers); its
 * parameters follow the cursor's in the bound query. */
export function batchSql(step: BackfillStep, hasCursor: boolean, hasCeiling = false): BatchSql {
  const table = quoteQualified(step.table);
  const keys = step.key.map((k) => quoteIdent(k.name));
  const tuple = (list: string[]) => (list.length === 1 ? list[0]! : `(${list.join(', ')})`);
  const params = (start: number) => tuple(step.key.map((k, i) => `$${start + i}::${k.type}`));
  const n = step.key.length;
  const after = hasCursor ? `${tuple(keys)} > ${params(1)}` : 'true';
  const ceilingStart = hasCursor ? n + 1 : 1;
  const ceiling = hasCeiling ? ` AND ${tuple(keys)} <= ${params(ceilingStart)}` : '';
  const offsetParam = ceilingStart + (hasCeiling ? n : 0);
  const bound =
    `SELECT ${step.key.map((k, i) => `${quoteIdent(k.name)}::text AS k${i}`).join(', ')} FROM ${table} ` +
    `WHERE ${after}${ceiling} ORDER BY ${keys.join(', ')} OFFSET $${offsetParam} LIMIT 1`;
  const set = step.assignments.map((a) => `${quoteIdent(a.column)} = ${a.expression}`).join(', ');
  const update = (hasUpper: boolean) => {
    const upperStart = hasCursor ? n + 1 : 1;
    const conditions = [
      ...(hasCursor ? [after] : []),
      ...(hasUpper ? [`${tuple(keys)} <= ${params(upperStart)}`] : []),
      `(${step.pending})`,
    ];
    return `UPDATE ${table} SET ${set} WHERE ${conditions.join(' AND ')}`;
  };
  return { bound, update };
}

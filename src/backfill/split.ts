import type pg from 'pg';
import { quoteIdent, quoteQualified, type QualifiedName } from '../db/quote.js';
import type { BackfillStep } from '../plan/types.js';

/** Keys sampled to place chunk boundaries; enough for even chunks, cheap on any table size. */
const SAMPLE_KEYS = 4_000;

/**
 * Bounds that split the key range after `from` (null = the start) into about `chunks` parts of
 * similar row counts, from a TABLESAMPLE of the keys: `[from, b1, ..., null]`, each chunk being
 * (bound[i], bound[i+1]] of `relation` (a leaf partition of a partitioned table). The last chunk is
 * open-ended: rows inserted during the backfill beyond
 * the sampled keys are written by the sync trigger and still checked by the batches.
 */
export async function splitKeyRange(
  pool: pg.Pool,
  step: BackfillStep,
  from: string[] | null,
  chunks: number,
  estimatedRows: number | null,
  relation: QualifiedName = step.table,
): Promise<(string[] | null)[]> {
  if (step.walk === 'ctid') return splitBlockRange(pool, relation, from, chunks);
  const table = quoteQualified(relation);
  const keys = step.key.map((k) => quoteIdent(k.name));
  const tuple = (list: string[]) => (list.length === 1 ? list[0]! : `(${list.join(', ')})`);
  const percent =
    estimatedRows && estimatedRows > SAMPLE_KEYS ? Math.max(0.0001, (100 * SAMPLE_KEYS) / estimatedRows) : 100;
  const after = from ? `WHERE ${tuple(keys)} > ${tuple(step.key.map((k, i) => `$${i + 1}::${k.type}`))}` : '';
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT ${step.key.map((k, i) => `${quoteIdent(k.name)}::text AS k${i}`).join(', ')}
       FROM ${table} TABLESAMPLE SYSTEM (${percent}) ${after}
      ORDER BY ${keys.join(', ')}`,
    from ?? [],
  );
  const sampled = rows.map((r) => step.key.map((_, i) => r[`k${i}`]!));
  const bounds: (string[] | null)[] = [from];
  const parts = Math.max(1, Math.min(chunks, sampled.length));
  for (let i = 1; i < parts; i++) bounds.push(sampled[Math.floor((i * sampled.length) / parts)]!);
  bounds.push(null);
  return bounds;
}

/**
 * A ctid walk's chunks: even block ranges from the cursor's block to the table's block count at
 * the start (the cursor's second number, else read now), each bound `[block, that count]`.
 */
async function splitBlockRange(
  pool: pg.Pool,
  relation: QualifiedName,
  from: string[] | null,
  chunks: number,
): Promise<(string[] | null)[]> {
  const { rows } = await pool.query<{ blocks: string }>(
    `SELECT (pg_relation_size($1::regclass) / current_setting('block_size')::bigint)::text AS blocks`,
    [quoteQualified(relation)],
  );
  const start = from ? Number(from[0]) : 0;
  const last = from ? Number(from[1]) : Number(rows[0]!.blocks);
  const bounds: (string[] | null)[] = [from];
  const parts = Math.max(1, Math.min(chunks, last - start));
  for (let i = 1; i < parts; i++) bounds.push([String(start + Math.floor((i * (last - start)) / parts)), String(last)]);
  bounds.push(null);
  return bounds;
}

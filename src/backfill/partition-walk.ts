import type pg from 'pg';
import { tableKey } from '../db/catalog.js';
import { displayName, quoteQualified, type QualifiedName } from '../db/quote.js';
import type { RunnerContext } from '../exec/context.js';
import type { BackfillStep } from '../plan/types.js';
import { decodePosition, encodePosition, type PartitionPosition } from './partition-position.js';
import { splitKeyRange } from './split.js';
import type { BackfillId, WorkRange, WorkSource } from './work-source.js';

/**
 * The leaf partitions to walk, in order: the planned ones that are still partitions of the table,
 * then any created or attached since, by name (a created one's rows came through the dual-write
 * trigger; an attached table's rows may not have).
 */
export async function walkOrder(pool: pg.Pool, step: BackfillStep): Promise<QualifiedName[]> {
  const { rows } = await pool.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_partition_tree($1::regclass) t
       JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE t.isleaf AND t.level > 0 ORDER BY n.nspname, c.relname`,
    [quoteQualified(step.table)],
  );
  const now = new Set(rows.map(tableKey));
  const planned = (step.partitions ?? []).filter((p) => now.has(tableKey(p)));
  const seen = new Set(planned.map(tableKey));
  return [...planned, ...rows.filter((r) => !seen.has(tableKey(r)))];
}

/**
 * The leaves left from a stored position: from its partition on, at its cursor. When that
 * partition is no longer in the tree (dropped or detached meanwhile), the walk starts over: the
 * batches' pending condition skips the rows already done, so nothing is written twice.
 */
export function remainingFrom(
  order: QualifiedName[],
  position: PartitionPosition | null,
): { leaves: QualifiedName[]; cursor: string[] | null } {
  const at = position ? order.findIndex((p) => tableKey(p) === tableKey(position.partition)) : -1;
  return at < 0 ? { leaves: order, cursor: null } : { leaves: order.slice(at), cursor: position!.cursor };
}

/**
 * One worker walks the leaves in order from the backfill's cursor. A partition's last batch
 * records the next partition's start, and only the last partition's marks the backfill done,
 * so a runner killed at any point resumes in the right partition at the right key.
 */
export class PartitionSource implements WorkSource {
  private index = 0;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly id: BackfillId,
    private readonly leaves: QualifiedName[],
    private readonly cursor: string[] | null,
  ) {}

  next(): Promise<WorkRange | undefined> {
    const leaf = this.leaves[this.index];
    if (!leaf) return Promise.resolve(undefined);
    const following = this.leaves[this.index + 1];
    const cursor = this.index === 0 ? this.cursor : null;
    this.index++;
    const { migration, stepId } = this.id;
    return Promise.resolve({
      label: `partition ${displayName(leaf)}`,
      table: leaf,
      cursor,
      ceiling: null,
      record: async (client, batch) => {
        const moveOn = batch.done && following !== undefined;
        await this.ctx.state.recordBatch(client, migration, stepId, {
          ...batch,
          lastKey: moveOn ? encodePosition(following, null) : encodePosition(leaf, batch.lastKey),
          done: batch.done && !moveOn,
        });
        return true;
      },
    });
  }
}

/** A chunk's range, as stored: (lo, hi] in positions (encodePosition). */
export interface ChunkRange {
  lo: string[] | null;
  hi: string[] | null;
}

/**
 * Chunks for parallel workers that never span partitions: each remaining leaf gets a share of
 * `chunks` by its estimated rows (at least one), split on its own keys (split.ts).
 */
export async function splitPartitions(
  pool: pg.Pool,
  step: BackfillStep,
  from: string[] | null,
  chunks: number,
): Promise<ChunkRange[]> {
  const { leaves, cursor } = remainingFrom(await walkOrder(pool, step), decodePosition(from));
  const { rows } = await pool.query<{ n: number }>(
    `SELECT greatest(c.reltuples, 0)::float8 AS n FROM unnest($1::text[]) WITH ORDINALITY l(name, i)
       LEFT JOIN pg_class c ON c.oid = to_regclass(l.name) ORDER BY l.i`,
    [leaves.map(quoteQualified)],
  );
  const total = rows.reduce((sum, r) => sum + (r.n ?? 0), 0);
  const out: ChunkRange[] = [];
  for (const [i, leaf] of leaves.entries()) {
    const rowsOf = rows[i]?.n ?? 0;
    const share = total > 0 ? Math.max(1, Math.round((chunks * rowsOf) / total)) : 1;
    const start = i === 0 ? cursor : null;
    const bounds = share > 1 ? await splitKeyRange(pool, step, start, share, rowsOf, leaf) : [start, null];
    for (let b = 0; b + 1 < bounds.length; b++)
      out.push({ lo: encodePosition(leaf, bounds[b]!), hi: encodePosition(leaf, bounds[b + 1]!) });
  }
  return out;
}

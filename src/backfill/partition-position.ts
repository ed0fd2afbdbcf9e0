import type { QualifiedName } from '../db/quote.js';

/**
 * A partitioned table's backfill walks its leaf partitions one after the other, each batch within
 * one partition (its own keyset or ctid walk). Every cursor zdm stores for it (zdm.backfills.last_key,
 * a chunk's lo, hi and last_key) is `[partition schema, partition name, ...the cursor within it]`;
 * nothing after the name means the partition's start (lo, a cursor) or its end (a chunk's hi).
 */
export interface PartitionPosition {
  partition: QualifiedName;
  cursor: string[] | null;
}

export function encodePosition(partition: QualifiedName, cursor: string[] | null): string[] {
  return [partition.schema, partition.name, ...(cursor ?? [])];
}

export function decodePosition(key: string[] | null): PartitionPosition | null {
  if (!key || key.length < 2) return null;
  const [schema, name, ...rest] = key;
  return { partition: { schema: schema!, name: name! }, cursor: rest.length > 0 ? rest : null };
}

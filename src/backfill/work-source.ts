import type pg from 'pg';
import type { QualifiedName } from '../db/quote.js';
import type { RunnerContext } from '../exec/context.js';
import { decodePosition, encodePosition } from './partition-position.js';

/** A chunk claim not renewed by a batch for this long can be taken over, even if its worker's
 * connection still looks alive (a runner on a partitioned machine). */
const CHUNK_LEASE_SECONDS = 300;

/** What one batch writes into zdm's state, in the batch's own transaction. */
interface BatchRecord {
  lastKey: string[] | null;
  updated: number;
  scanned: number;
  batchSize: number;
  done: boolean;
}

/** One key range a worker backfills: (cursor, ceiling], recorded by `record` in each batch. */
export interface WorkRange {
  label: string;
  /** The leaf partition the range lies in (a partitioned table); absent: the step's table. */
  table?: QualifiedName;
  cursor: string[] | null;
  ceiling: string[] | null;
  /** Writes the batch's progress in its transaction; false = the range is no longer ours. */
  record(client: pg.PoolClient, batch: BatchRecord): Promise<boolean>;
}

/** Where a backfill's workers get their key ranges from. */
export interface WorkSource {
  /** The next range for `worker`: undefined when none is left, 'wait' while other workers hold the rest. */
  next(session: pg.PoolClient, worker: string): Promise<WorkRange | 'wait' | undefined>;
}

export interface BackfillId {
  migration: string;
  stepId: string;
}

/** One worker walks the whole table from the backfill's cursor (zdm.backfills.last_key). */
export class SequentialSource implements WorkSource {
  private taken = false;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly id: BackfillId,
    private readonly cursor: string[] | null,
  ) {}

  next(): Promise<WorkRange | undefined> {
    if (this.taken) return Promise.resolve(undefined);
    this.taken = true;
    const { migration, stepId } = this.id;
    return Promise.resolve({
      label: 'table',
      cursor: this.cursor,
      ceiling: null,
      record: async (client, batch) => (await this.ctx.state.recordBatch(client, migration, stepId, batch), true),
    });
  }
}

/**
 * Workers of this and other processes claim chunks (zdm.backfill_chunks) with FOR UPDATE SKIP
 * LOCKED; a claim is the worker's backend pid plus a lease that every batch renews, and a batch
 * records only while the claim is still its own.
 */
export class ChunkSource implements WorkSource {
  /** `partitioned`: the chunks' keys are positions in a partitioned table's walk (partition-position.ts). */
  constructor(
    private readonly ctx: RunnerContext,
    private readonly id: BackfillId,
    private readonly partitioned = false,
  ) {}

  async next(session: pg.PoolClient, worker: string): Promise<WorkRange | 'wait' | undefined> {
    const { state, conn } = this.ctx;
    const { migration, stepId } = this.id;
    const chunk = await state.claimChunk(session, migration, stepId, worker, CHUNK_LEASE_SECONDS);
    if (!chunk) return (await state.chunks(conn.pool, migration, stepId)).every((c) => c.done) ? undefined : 'wait';
    const record: WorkRange['record'] = (client, batch) =>
      state.recordChunkBatch(client, migration, stepId, chunk.chunk, worker, batch);
    if (!this.partitioned)
      return { label: `chunk ${chunk.chunk}`, cursor: chunk.last_key ?? chunk.lo, ceiling: chunk.hi, record };
    const lo = decodePosition(chunk.lo)!;
    return {
      label: `chunk ${chunk.chunk} (partition ${lo.partition.schema}.${lo.partition.name})`,
      table: lo.partition,
      cursor: decodePosition(chunk.last_key)?.cursor ?? lo.cursor,
      ceiling: decodePosition(chunk.hi)?.cursor ?? null,
      record: (client, batch) => record(client, { ...batch, lastKey: encodePosition(lo.partition, batch.lastKey) }),
    };
  }
}

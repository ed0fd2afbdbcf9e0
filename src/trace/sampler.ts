import type pg from 'pg';
import type { QualifiedName } from '../db/quote.js';
import type { LockMode } from '../plan/types.js';
import { lockModeOf } from './snapshot.js';

/** A relation lock one of the watched backends held (or waited for), first and last seen. */
export interface SeenLock {
  oid: number;
  name: QualifiedName | undefined;
  relkind: string | undefined;
  mode: LockMode;
  firstMs: number;
  lastMs: number;
}

interface LockRow {
  pid: number;
  oid: number | null;
  schema: string | null;
  name: string | null;
  relkind: string | null;
  mode: string;
  granted: boolean;
}

/**
 * Reads pg_locks for the watched backends, on a session of its own, as often as it can while a
 * step runs (and on demand, before a transaction commits). Relation locks in catalogs and
 * other schemas are kept: the comparison decides what matters.
 */
export class LockSampler {
  private readonly pids = new Set<number>();
  private readonly seen = new Map<string, SeenLock>();
  private readonly waitHandlers: (() => unknown)[] = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();

  private constructor(private readonly client: pg.PoolClient) {}

  static async start(pool: pg.Pool): Promise<LockSampler> {
    const sampler = new LockSampler(await pool.connect());
    sampler.loop = sampler.run();
    return sampler;
  }

  watch(pid: number): void {
    this.pids.add(pid);
  }

  /** Called (once per sample) when a watched backend waits for a lock. */
  onWait(handler: () => unknown): void {
    this.waitHandlers.push(handler);
  }

  async sampleNow(): Promise<void> {
    if (this.pids.size === 0) return;
    const { rows } = await this.client.query<LockRow>(
      `SELECT l.pid, l.relation::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind, l.mode, l.granted
         FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE l.pid = ANY($1::int[]) AND (l.locktype = 'relation' OR NOT l.granted)`,
      [[...this.pids]],
    );
    const now = performance.now();
    for (const row of rows) this.record(row, now);
    if (rows.some((r) => !r.granted)) for (const handler of this.waitHandlers) await handler();
  }

  private record(row: LockRow, now: number): void {
    const mode = lockModeOf(row.mode);
    // A relation created by the step's uncommitted transaction has no visible name yet: named from the
    // trace's after snapshot.
    if (row.oid === null || !mode) return;
    const key = `${row.oid}/${mode}`;
    const known = this.seen.get(key);
    if (known) known.lastMs = now;
    else
      this.seen.set(key, {
        oid: row.oid,
        name: row.schema !== null && row.name !== null ? { schema: row.schema, name: row.name } : undefined,
        relkind: row.relkind ?? undefined,
        mode,
        firstMs: now,
        lastMs: now,
      });
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.sampleNow();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * Stops sampling, waits for the watched sessions to end (they flush their scan counters as they go),
   * returns every lock seen.
   */
  async stop(): Promise<SeenLock[]> {
    this.running = false;
    try {
      await this.loop;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const { rows } = await this.client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])',
          [[...this.pids]],
        );
        if (rows[0]!.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      this.client.release(true);
    }
    return [...this.seen.values()];
  }
}

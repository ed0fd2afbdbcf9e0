import type pg from 'pg';
import { quoteQualified, type QualifiedName } from '../db/quote.js';
import type { StepObserver } from '../exec/observer.js';
import { LOCK_MODES, type LockMode, type Step } from '../plan/types.js';
import { Barrier } from './barrier.js';
import { LockSampler, type SeenLock } from './sampler.js';
import { relationStates, type RelationState } from './snapshot.js';

/** What one step (or its undo) was seen doing. */
export interface StepTrace {
  step: Step;
  undo: boolean;
  ms: number;
  /** Strongest mode per relation the step's sessions held or waited for, with how long it was seen held. */
  locks: ObservedLock[];
  /** Tables whose relfilenode changed (rewritten). */
  rewritten: QualifiedName[];
  /** Tables sequentially scanned while the step ran. */
  scanned: QualifiedName[];
  /** Relations that did not exist before the step. */
  created: QualifiedName[];
}

export interface ObservedLock {
  relation: QualifiedName;
  relkind: string;
  mode: LockMode;
  /** First to last sighting, a lower bound of the hold time (0 when seen once). */
  heldMs: number;
  /** The relation existed before the step. */
  existed: boolean;
}

interface Current {
  step: Step;
  undo: boolean;
  started: number;
  before: Map<number, RelationState>;
  sampler: LockSampler;
  barrier: Barrier | undefined;
  xactScans: Set<number>;
}

const TABLE_KINDS = ['r', 'p', 'm'];

/**
 * Tables the transaction read in full: a sequential scan, or an index pass returning, per index
 * scan, at least as many entries as the table has rows (VALIDATE of a foreign key may merge two
 * full index scans). Per-row index lookups (a foreign key's check, a verify answered by an index)
 * are not a scan. The rows: the larger of the live-row counter and pg_class.reltuples, since
 * either can read 0 for a filled table (an ANALYZE in the transaction that inserted its rows
 * reports none live), and a backfill's 50-row batches then looked like full passes.
 */
const FULL_READS_SQL = `
  SELECT relid::int AS relid FROM pg_stat_xact_user_tables WHERE seq_scan > 0
  UNION
  SELECT i.indrelid::int FROM pg_index i
   WHERE pg_stat_get_xact_numscans(i.indexrelid) > 0
     AND pg_stat_get_xact_tuples_returned(i.indexrelid)::float8 / pg_stat_get_xact_numscans(i.indexrelid)
         >= greatest(1, pg_stat_get_live_tuples(i.indrelid), (SELECT c.reltuples FROM pg_class c WHERE c.oid = i.indrelid))`;

/**
 * The trace harness's observer: while a step runs, another session samples pg_locks for the
 * step's backends (and reads them once more before each transaction commits, when every lock is
 * still held), and the relations' relfilenodes and scan counters are compared before and after.
 * Statements that run outside a transaction (CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY)
 * are held at a barrier, an open snapshot and ACCESS SHARE on their tables, until a sample shows
 * them waiting with their locks; without it a short one could finish between two samples.
 */
export class Tracer implements StepObserver {
  readonly traces: StepTrace[] = [];
  private current: Current | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly stateSchema: string,
  ) {}

  async stepStarting(step: Step, undo: boolean): Promise<void> {
    const before = await relationStates(this.pool, this.stateSchema);
    const sampler = await LockSampler.start(this.pool);
    this.current = {
      step,
      undo,
      started: performance.now(),
      before,
      sampler,
      barrier: undefined,
      xactScans: new Set(),
    };
  }

  async session(step: Step, client: pg.ClientBase): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    cur.sampler.watch(pid);
    if (!cur.barrier && outsideTransaction(step, cur.undo)) {
      const tables = step.impact.locks.map((l) => quoteQualified(l.relation));
      cur.barrier = await Barrier.open(this.pool, tables);
      cur.sampler.onWait(() => cur.barrier?.release());
    }
  }

  async sessionDone(_step: Step, client: pg.ClientBase): Promise<void> {
    // Flushes the session's scan counters now (they are read after the step), not when it ends.
    if (this.current) await client.query('SELECT pg_stat_force_next_flush()');
  }

  async beforeCommit(_step: Step, client: pg.ClientBase): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    await cur.sampler.sampleNow();
    const { rows } = await client.query<{ relid: number }>(FULL_READS_SQL);
    for (const r of rows) cur.xactScans.add(r.relid);
  }

  async stepEnded(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    this.current = undefined;
    await cur.barrier?.release();
    const seen = await cur.sampler.stop();
    const after = await relationStates(this.pool, this.stateSchema);
    this.traces.push(buildTrace(cur, seen, after));
  }
}

/** Steps whose statements run outside a transaction, where locks go with each statement. */
function outsideTransaction(step: Step, undo: boolean): boolean {
  if (undo) return 'undo' in step && step.undo !== undefined && !step.undo.transactional;
  return step.kind === 'create-index' || (step.kind === 'sql' && !step.transactional);
}

function buildTrace(cur: Current, seen: SeenLock[], after: Map<number, RelationState>): StepTrace {
  const { before } = cur;
  // Transactional work reports its own scans exactly (pg_stat_xact_user_tables before COMMIT); the
  // counters' difference, which any other session's late flush can move, only for work outside one,
  // and only on a relation the step's sessions were seen locking (a scan takes at least ACCESS SHARE,
  // and the barrier holds such a step's locks until a sample sees them): a test's own reads, flushed
  // up to seconds later by their backend, once showed as scans of every table during a DROP INDEX.
  const outside = outsideTransaction(cur.step, cur.undo);
  const lockedOids = new Set(seen.map((s) => s.oid));
  const strongest = new Map<number, ObservedLock>();
  for (const s of seen) {
    const known = strongest.get(s.oid);
    if (known && LOCK_MODES.indexOf(known.mode) >= LOCK_MODES.indexOf(s.mode)) continue;
    const rel = before.get(s.oid) ?? after.get(s.oid);
    const name = s.name ?? rel?.name;
    if (!name) continue; // created and dropped within the step
    strongest.set(s.oid, {
      relation: name,
      relkind: s.relkind ?? rel?.relkind ?? '?',
      mode: s.mode,
      heldMs: s.lastMs - s.firstMs,
      existed: before.has(s.oid),
    });
  }
  const tables = [...before.values()].filter((r) => TABLE_KINDS.includes(r.relkind));
  return {
    step: cur.step,
    undo: cur.undo,
    ms: performance.now() - cur.started,
    locks: [...strongest.values()],
    rewritten: tables
      .filter((r) => after.has(r.oid) && after.get(r.oid)!.relfilenode !== r.relfilenode)
      .map((r) => r.name),
    scanned: tables
      .filter(
        (r) =>
          cur.xactScans.has(r.oid) ||
          (outside && lockedOids.has(r.oid) && (after.get(r.oid)?.seqScans ?? 0) > r.seqScans),
      )
      .map((r) => r.name),
    created: [...after.values()].filter((r) => !before.has(r.oid)).map((r) => r.name),
  };
}

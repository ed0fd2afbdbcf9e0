import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type ColumnType,
  type Compilable,
  type Generated,
  type Selectable,
} from 'kysely';
import type pg from 'pg';
import type { Actor } from '../db/connect.js';
import type { Phase, Plan } from '../plan/types.js';
import { version } from '../version.js';
import type { LiveProgress } from './events.js';

export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export type MigrationStatus = 'active' | 'complete' | 'rolled_back';
export type StepStatus = 'running' | 'done' | 'failed' | 'undone';

/** Runtime overrides written by `zdm pause/resume` and friends, read by a running backfill. */
export interface Control {
  batchSize?: number;
  maxRowsPerSecond?: number | null;
}

interface MigrationsTable {
  name: string;
  file: string;
  checksum: string;
  status: MigrationStatus;
  phase: Phase | null;
  current_phase: Phase | null;
  plan: Json<Plan>;
  paused: ColumnType<boolean, boolean | undefined, boolean>;
  pause_reason: string | null;
  control: ColumnType<Control, string | undefined, string>;
  last_error: string | null;
  started_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Date | null;
}

interface TargetsTable {
  migration: string;
  schema_name: string;
  active: boolean;
}

interface StepsTable {
  migration: string;
  step_id: string;
  phase: Phase;
  status: StepStatus;
  attempts: ColumnType<number, number | undefined, number>;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

interface BackfillsTable {
  migration: string;
  step_id: string;
  table_name: string;
  /** Cursor: the text form of each primary-key column of the last row covered, null = start. */
  last_key: ColumnType<string[] | null, string | null, string | null>;
  rows_updated: ColumnType<number, number | undefined, number>;
  rows_scanned: ColumnType<number, number | undefined, number>;
  batches: ColumnType<number, number | undefined, number>;
  batch_size: number;
  total_estimate: number | null;
  done: ColumnType<boolean, boolean | undefined, boolean>;
  started_at: Timestamp;
  updated_at: Timestamp;
  live: ColumnType<LiveProgress | null, string | null | undefined, string | null>;
}

interface ChunksTable {
  migration: string;
  step_id: string;
  chunk: number;
  /** Exclusive lower and inclusive upper key of the chunk (text of each key column); null = open. */
  lo: ColumnType<string[] | null, string | null, never>;
  hi: ColumnType<string[] | null, string | null, never>;
  last_key: ColumnType<string[] | null, string | null, string | null>;
  rows_updated: ColumnType<number, number | undefined, number>;
  rows_scanned: ColumnType<number, number | undefined, number>;
  batches: ColumnType<number, number | undefined, number>;
  done: ColumnType<boolean, boolean | undefined, boolean>;
  claimed_by: string | null;
  claimed_pid: number | null;
  claimed_at: Timestamp | null;
}

interface AuditTable {
  id: Generated<number>;
  at: Timestamp;
  migration: string | null;
  action: string;
  phase: string | null;
  step_id: string | null;
  outcome: string;
  actor: string;
  host: string;
  pid: number;
  db_user: ColumnType<string, string | undefined, string>;
  zdm_version: string;
  checksum: string | null;
  detail: Json<Record<string, unknown> | null> | null;
}

export interface StateDB {
  migrations: MigrationsTable;
  migration_targets: TargetsTable;
  steps: StepsTable;
  backfills: BackfillsTable;
  backfill_chunks: ChunksTable;
  audit_log: AuditTable;
}

export type MigrationRow = Selectable<MigrationsTable>;
export type StepRow = Selectable<StepsTable>;
export type BackfillRow = Selectable<BackfillsTable>;
export type ChunkRow = Selectable<ChunksTable>;
export type AuditRow = Selectable<AuditTable>;

/**
 * Kysely used as a query builder only: queries are compiled and run on whatever connection the
 * caller holds, so a step's state row is written in the same transaction as the step itself.
 */
/** The counters one batch adds to a backfill or chunk row (zdm.backfills and zdm.backfill_chunks share them). */
function batchIncrements(batch: { updated: number; scanned: number }) {
  return {
    rows_updated: sql<number>`rows_updated + ${batch.updated}`,
    rows_scanned: sql<number>`rows_scanned + ${batch.scanned}`,
    batches: sql<number>`batches + 1`,
  };
}

const builder = new Kysely<StateDB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

async function run<R>(on: Queryable, query: Compilable<R>): Promise<R[]> {
  const compiled = query.compile();
  const result = await on.query(compiled.sql, compiled.parameters as unknown[]);
  return result.rows as R[];
}

/** All reads and writes of zdm's state tables. */
export class StateStore {
  private readonly db: Kysely<StateDB>;

  constructor(
    readonly schema: string,
    private readonly actor: Actor,
  ) {
    this.db = builder.withSchema(schema);
  }

  async migrations(on: Queryable): Promise<MigrationRow[]> {
    return run(on, this.db.selectFrom('migrations').selectAll().orderBy('name'));
  }

  async migration(on: Queryable, name: string): Promise<MigrationRow | undefined> {
    return (await run(on, this.db.selectFrom('migrations').selectAll().where('name', '=', name)))[0];
  }

  async activeMigrations(on: Queryable): Promise<MigrationRow[]> {
    return run(on, this.db.selectFrom('migrations').selectAll().where('status', '=', 'active').orderBy('name'));
  }

  /** Activates a migration (first time, or again after a rollback) with its plan and targets. */
  async activate(on: Queryable, plan: Plan, file: string): Promise<void> {
    const values = {
      name: plan.migration,
      file,
      checksum: plan.checksum,
      status: 'active' as const,
      phase: null,
      current_phase: null,
      plan: JSON.stringify(plan),
      paused: false,
      pause_reason: null,
      control: '{}',
      last_error: null,
      finished_at: null,
    };
    await run(
      on,
      this.db
        .insertInto('migrations')
        .values(values)
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ ...values, started_at: sql`now()`, updated_at: sql`now()` }),
        ),
    );
    await run(on, this.db.deleteFrom('steps').where('migration', '=', plan.migration));
    await run(on, this.db.deleteFrom('backfills').where('migration', '=', plan.migration));
    await run(on, this.db.deleteFrom('migration_targets').where('migration', '=', plan.migration));
    if (plan.targetSchemas.length > 0) {
      await run(
        on,
        this.db
          .insertInto('migration_targets')
          .values(plan.targetSchemas.map((schema_name) => ({ migration: plan.migration, schema_name, active: true }))),
      );
    }
  }

  async activeTarget(
    on: Queryable,
    schemas: string[],
  ): Promise<{ migration: string; schema_name: string } | undefined> {
    if (schemas.length === 0) return undefined;
    return (
      await run(
        on,
        this.db
          .selectFrom('migration_targets')
          .select(['migration', 'schema_name'])
          .where('active', '=', true)
          .where('schema_name', 'in', schemas),
      )
    )[0];
  }

  async setPhase(
    on: Queryable,
    name: string,
    fields: {
      phase?: Phase | null;
      current_phase?: Phase | null;
      status?: MigrationStatus;
      last_error?: string | null;
    },
  ): Promise<void> {
    const finished = fields.status && fields.status !== 'active' ? { finished_at: sql<Date>`now()` } : {};
    await run(
      on,
      this.db
        .updateTable('migrations')
        .set({ ...fields, ...finished, updated_at: sql`now()` })
        .where('name', '=', name),
    );
    if (fields.status && fields.status !== 'active') {
      await run(on, this.db.updateTable('migration_targets').set({ active: false }).where('migration', '=', name));
    }
  }

  async setPaused(on: Queryable, name: string, paused: boolean, reason: string | null): Promise<void> {
    await run(
      on,
      this.db
        .updateTable('migrations')
        .set({ paused, pause_reason: reason, updated_at: sql`now()` })
        .where('name', '=', name),
    );
  }

  async setControl(on: Queryable, name: string, control: Control): Promise<void> {
    await run(
      on,
      this.db
        .updateTable('migrations')
        .set({ control: JSON.stringify(control), updated_at: sql`now()` })
        .where('name', '=', name),
    );
  }

  async steps(on: Queryable, migration: string): Promise<StepRow[]> {
    return run(on, this.db.selectFrom('steps').selectAll().where('migration', '=', migration));
  }

  async stepStarted(on: Queryable, migration: string, stepId: string, phase: Phase): Promise<void> {
    await run(
      on,
      this.db
        .insertInto('steps')
        .values({
          migration,
          step_id: stepId,
          phase,
          status: 'running',
          attempts: 1,
          error: null,
          started_at: new Date(),
          finished_at: null,
        })
        .onConflict((oc) =>
          oc.columns(['migration', 'step_id']).doUpdateSet({
            status: 'running',
            attempts: sql`${sql.ref('steps.attempts')} + 1`,
            error: null,
            started_at: new Date(),
          }),
        ),
    );
  }

  async stepFinished(
    on: Queryable,
    migration: string,
    stepId: string,
    phase: Phase,
    status: Exclude<StepStatus, 'running'>,
    error: string | null = null,
  ): Promise<void> {
    const now = new Date();
    await run(
      on,
      this.db
        .insertInto('steps')
        .values({ migration, step_id: stepId, phase, status, attempts: 1, error, started_at: now, finished_at: now })
        .onConflict((oc) => oc.columns(['migration', 'step_id']).doUpdateSet({ status, error, finished_at: now })),
    );
  }

  async backfill(on: Queryable, migration: string, stepId: string): Promise<BackfillRow | undefined> {
    return (
      await run(
        on,
        this.db.selectFrom('backfills').selectAll().where('migration', '=', migration).where('step_id', '=', stepId),
      )
    )[0];
  }

  async backfills(on: Queryable, migration: string): Promise<BackfillRow[]> {
    return run(on, this.db.selectFrom('backfills').selectAll().where('migration', '=', migration).orderBy('step_id'));
  }

  async startBackfill(
    on: Queryable,
    row: { migration: string; step_id: string; table_name: string; batch_size: number; total_estimate: number | null },
  ): Promise<BackfillRow> {
    await run(
      on,
      this.db
        .insertInto('backfills')
        .values({ ...row, last_key: null })
        .onConflict((oc) => oc.columns(['migration', 'step_id']).doNothing()),
    );
    return (await this.backfill(on, row.migration, row.step_id))!;
  }

  /** Advances the cursor; called in the same transaction as the batch it records. */
  async recordBatch(
    on: Queryable,
    migration: string,
    stepId: string,
    batch: { lastKey: string[] | null; updated: number; scanned: number; batchSize: number; done: boolean },
  ): Promise<void> {
    await run(
      on,
      this.db
        .updateTable('backfills')
        .set({
          last_key: batch.lastKey ? JSON.stringify(batch.lastKey) : sql`last_key`,
          ...batchIncrements(batch),
          batch_size: batch.batchSize,
          done: batch.done,
          updated_at: sql`now()`,
        })
        .where('migration', '=', migration)
        .where('step_id', '=', stepId),
    );
  }

  /** The runner's live progress (status in another process reads it); not part of any batch. */
  async recordLive(on: Queryable, migration: string, stepId: string, live: Omit<LiveProgress, 'at'>): Promise<void> {
    // `at` is the database's clock, as zdm status compares it with the database's now().
    await run(
      on,
      this.db
        .updateTable('backfills')
        .set({ live: sql<string>`${JSON.stringify(live)}::jsonb || jsonb_build_object('at', now())` })
        .where('migration', '=', migration)
        .where('step_id', '=', stepId),
    );
  }

  async chunks(on: Queryable, migration: string, stepId: string): Promise<ChunkRow[]> {
    return run(
      on,
      this.db
        .selectFrom('backfill_chunks')
        .selectAll()
        .where('migration', '=', migration)
        .where('step_id', '=', stepId)
        .orderBy('chunk'),
    );
  }

  /** Splits a backfill into chunks, each (lo, hi]: exclusive lo, inclusive hi, null = open. */
  async createChunks(
    on: Queryable,
    migration: string,
    stepId: string,
    ranges: { lo: string[] | null; hi: string[] | null }[],
  ): Promise<void> {
    const rows = ranges.map(({ lo, hi }, i) => ({
      migration,
      step_id: stepId,
      chunk: i,
      lo: lo && JSON.stringify(lo),
      hi: hi && JSON.stringify(hi),
      last_key: null,
      claimed_by: null,
      claimed_pid: null,
      claimed_at: null,
    }));
    if (rows.length)
      await run(
        on,
        this.db
          .insertInto('backfill_chunks')
          .values(rows)
          .onConflict((oc) => oc.doNothing()),
      );
  }

  /**
   * Claims the first chunk that is not done and not held by a live worker, skipping rows another
   * claimer has locked. A claim is dead when its worker's backend is gone or it was not renewed
   * for `leaseSeconds` (each batch renews it).
   */
  async claimChunk(
    on: Queryable,
    migration: string,
    stepId: string,
    worker: string,
    leaseSeconds: number,
  ): Promise<ChunkRow | undefined> {
    const free = this.db
      .selectFrom('backfill_chunks as x')
      .select(['x.chunk'])
      .where('x.migration', '=', migration)
      .where('x.step_id', '=', stepId)
      .where('x.done', '=', false)
      .where((eb) =>
        eb.or([
          eb('x.claimed_pid', 'is', null),
          sql<boolean>`NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = x.claimed_pid)`,
          sql<boolean>`x.claimed_at < now() - make_interval(secs => ${leaseSeconds})`,
        ]),
      )
      .orderBy('x.chunk')
      .limit(1)
      .forUpdate()
      .skipLocked();
    const claimed = await run(
      on,
      this.db
        .updateTable('backfill_chunks')
        .set({ claimed_by: worker, claimed_pid: sql`pg_backend_pid()`, claimed_at: sql`now()` })
        .where('migration', '=', migration)
        .where('step_id', '=', stepId)
        .where('chunk', '=', (eb) => eb.selectFrom(free.as('f')).select('f.chunk'))
        .returningAll(),
    );
    return claimed[0];
  }

  /**
   * Advances a chunk's cursor and the backfill's totals, in the batch's transaction. Returns false
   * when the chunk is no longer this worker's (its claim was taken over): the caller rolls back.
   */
  async recordChunkBatch(
    on: Queryable,
    migration: string,
    stepId: string,
    chunk: number,
    worker: string,
    batch: { lastKey: string[] | null; updated: number; scanned: number; batchSize: number; done: boolean },
  ): Promise<boolean> {
    const owned = await run(
      on,
      this.db
        .updateTable('backfill_chunks')
        .set({
          last_key: batch.lastKey ? JSON.stringify(batch.lastKey) : sql`last_key`,
          ...batchIncrements(batch),
          done: batch.done,
          claimed_at: sql`now()`,
        })
        .where('migration', '=', migration)
        .where('step_id', '=', stepId)
        .where('chunk', '=', chunk)
        .where('claimed_by', '=', worker)
        .where('claimed_pid', '=', sql<number>`pg_backend_pid()`)
        .returning('chunk'),
    );
    if (owned.length === 0) return false;
    await run(
      on,
      this.db
        .updateTable('backfills')
        .set({ ...batchIncrements(batch), batch_size: batch.batchSize, updated_at: sql`now()` })
        .where('migration', '=', migration)
        .where('step_id', '=', stepId),
    );
    return true;
  }

  async finishBackfill(on: Queryable, migration: string, stepId: string): Promise<void> {
    await run(
      on,
      this.db
        .updateTable('backfills')
        .set({ done: true, updated_at: sql`now()` })
        .where('migration', '=', migration)
        .where('step_id', '=', stepId),
    );
  }

  async deleteBackfills(on: Queryable, migration: string): Promise<void> {
    await run(on, this.db.deleteFrom('backfills').where('migration', '=', migration));
  }

  async audit(
    on: Queryable,
    entry: {
      migration: string | null;
      action: string;
      phase?: string | null;
      stepId?: string | null;
      outcome: string;
      checksum?: string | null;
      detail?: Record<string, unknown> | null;
    },
  ): Promise<void> {
    await run(
      on,
      this.db.insertInto('audit_log').values({
        migration: entry.migration,
        action: entry.action,
        phase: entry.phase ?? null,
        step_id: entry.stepId ?? null,
        outcome: entry.outcome,
        actor: this.actor.user,
        host: this.actor.host,
        pid: this.actor.pid,
        zdm_version: version,
        checksum: entry.checksum ?? null,
        detail: entry.detail ? JSON.stringify(entry.detail) : null,
      }),
    );
  }

  async auditLog(on: Queryable, migration: string, limit = 50): Promise<AuditRow[]> {
    return run(
      on,
      this.db.selectFrom('audit_log').selectAll().where('migration', '=', migration).orderBy('id', 'desc').limit(limit),
    );
  }
}

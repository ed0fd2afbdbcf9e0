/**
 * The library API (`createZdm` in create.ts builds one from validated options; the CLI builds one
 * from its resolved flags, env and config file). Every method returns expected outcomes as typed
 * results and throws typed errors (src/errors.ts) for failures. Modules are imported when a
 * method first needs them, so `import 'zdm'` in a migration file, or `zdm lint`, stays cheap.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/settings.js';
import type { Connection } from '../db/connect.js';
import { DatabaseError, LockHeldError, NoActiveMigrationError, UsageError, type LockHolder } from '../errors.js';
import type { RunnerContext } from '../exec/context.js';
import type { RunnerEvent } from '../exec/events.js';
import type { Control } from '../exec/state-store.js';
import type { MigrationSpec } from '../migration/schema.js';
import type { Phase } from '../plan/types.js';
import type { GatePacing } from '../replication/gate.js';
import type { AdvanceResult } from '../runner/advance.js';
import type { PauseResult, TuneResult } from '../runner/control.js';
import type { PlanResult } from '../runner/current-plan.js';
import type { RehearsalReport } from '../rehearse/rehearse.js';
import type { JoinResult } from '../runner/join.js';
import type { RollbackResult } from '../runner/rollback.js';
import type { StatusReport } from '../runner/status.js';
import { EventHub } from './events.js';
import { runLint, type LintRequest, type LintResult, type LintTarget } from './lint.js';

/** Another runner holds this database's runner lock: nothing was changed. */
export interface LockedResult {
  kind: 'locked';
  message: string;
  holder: LockHolder | null;
}

/** rollback, pause, resume or tune found no active migration: nothing was changed. */
export interface NothingActiveResult {
  kind: 'nothing-active';
  message: string;
}

export type AdvanceOutcome = AdvanceResult | LockedResult;
export type RollbackOutcome = ({ kind: 'rolled-back' } & RollbackResult) | LockedResult | NothingActiveResult;
export type PauseOutcome = ({ kind: 'paused' | 'resumed' } & PauseResult) | NothingActiveResult;
export type TuneOutcome = ({ kind: 'tuned' } & TuneResult) | NothingActiveResult;

export type { AdvanceResult, GatePacing, JoinResult, PauseResult, RollbackResult, StatusReport, TuneResult };
export type { BackfillStatus, MigrationStatus } from '../runner/status.js';
export type { Control } from '../exec/state-store.js';
export type { BackfillProgress, LagSummary, OperatorChange, RunnerEvent } from '../exec/events.js';

/**
 * A backfill's live progress (`status()`: `backfills[].live`) older than this many seconds means no
 * runner is working on it: a running backfill writes it every second.
 */
export const LIVE_STALE_SECONDS = 15;

export interface AdvanceRequest {
  /** Run phases up to and including this one (default: the next phase only). */
  until?: Phase;
  /** Wait this long for another runner's lock before returning `locked` (default 0). */
  lockWaitMs?: number;
}

/** How a Zdm is put together once its settings are resolved (create.ts and the CLI). */
export interface ZdmSetup {
  config: ResolvedConfig;
  /** A pool the caller owns (left open by close()); else zdm connects to config.databaseUrl. */
  pool?: pg.Pool;
  /** Migrations given as objects, instead of the files in config.migrationsDir. */
  migrations?: readonly { name: string; migration: MigrationSpec }[];
  cwd: string;
  /** Unqualified names resolve in this schema (search_path of zdm's connections): a tenant schema. */
  schema?: string;
  /** Names this process in application_name (`zdm <label> user@host:pid`), so a lock holder can be named. */
  label: string;
  log?: Logger;
  signal?: AbortSignal;
  onEvent?: (event: RunnerEvent) => void;
  /** Phase-gate sampling pace (src/defaults.ts when not given): a test suite shortens it, see RunnerContext. */
  gatePacing?: Partial<GatePacing>;
}

interface Opened {
  conn: Connection;
  ctx: RunnerContext;
}

export class Zdm {
  readonly settings: ResolvedConfig;
  readonly #setup: ZdmSetup;
  readonly #events: EventHub;
  #opened: Promise<Opened> | undefined;

  constructor(setup: ZdmSetup) {
    this.#setup = setup;
    this.settings = setup.config;
    this.#events = new EventHub(setup.onEvent);
  }

  /**
   * The active migration's recorded plan (with step status), else a fresh plan of the next pending one
   * or of `file`.
   */
  async plan(options: { file?: string } = {}): Promise<PlanResult> {
    const [{ currentPlan }, path] = await Promise.all([import('../runner/current-plan.js'), import('node:path')]);
    const ctx = await this.#context();
    return currentPlan(ctx, options.file ? { file: path.resolve(this.#setup.cwd, options.file) } : {});
  }

  /**
   * `zdm plan --rehearse`: the migration `plan()` would plan (not an active one), run on a sample
   * of its tables on a throwaway embedded Postgres under the trace harness. Read-only on the target.
   */
  async rehearse(options: {
    file?: string;
    rows: number;
    /** The bin directory of the Postgres the throwaway server runs (default: embedded, else a system one). */
    binDir?: string;
  }): Promise<RehearsalReport | { kind: 'nothing-pending' }> {
    const found = await this.plan(options.file ? { file: options.file } : {});
    if (found.kind === 'nothing-pending') return found;
    if (found.kind === 'recorded')
      throw new UsageError(
        `migration ${found.plan.migration} is active: a rehearsal runs a migration before it starts ` +
          `(plan a pending file)`,
      );
    const [{ rehearse }, { loadMigrationFile }, path] = await Promise.all([
      import('../rehearse/rehearse.js'),
      import('../migration/load.js'),
      import('node:path'),
    ]);
    const ctx = await this.#context();
    const migration = options.file
      ? await loadMigrationFile(path.resolve(this.#setup.cwd, options.file))
      : (await ctx.loadMigrations()).find((m) => m.name === found.plan.migration)!;
    return rehearse(ctx.conn.pool, migration, {
      rows: options.rows,
      settings: ctx.settings,
      log: ctx.log,
      signal: ctx.signal,
      ...(options.binDir ? { binDir: path.resolve(this.#setup.cwd, options.binDir) } : {}),
    });
  }

  /** Runs the next phase (or phases up to `until`) of the active migration, or starts the next pending one. */
  async advance(options: AdvanceRequest = {}): Promise<AdvanceOutcome> {
    const { advance } = await import('../runner/advance.js');
    const ctx = await this.#context();
    return lockedAsResult(() => advance(ctx, options));
  }

  /** Helps another runner's parallel backfill by claiming its chunks (`zdm advance --join`). */
  async join(): Promise<JoinResult> {
    const { joinBackfill } = await import('../runner/join.js');
    return joinBackfill(await this.#context());
  }

  /** Undoes the active migration (before contract); a StateError once contract has started. */
  async rollback(options: { lockWaitMs?: number } = {}): Promise<RollbackOutcome> {
    const { rollback } = await import('../runner/rollback.js');
    const ctx = await this.#context();
    return lockedAsResult(() =>
      nothingActiveAsResult(async () => ({ kind: 'rolled-back' as const, ...(await rollback(ctx, options)) })),
    );
  }

  async status(): Promise<StatusReport> {
    const { status } = await import('../runner/status.js');
    return status(await this.#context());
  }

  /** Pauses the active migration's backfill, wherever it runs. */
  async pause(options: { reason?: string } = {}): Promise<PauseOutcome> {
    const { pause } = await import('../runner/control.js');
    const ctx = await this.#context();
    return nothingActiveAsResult(async () => ({ kind: 'paused' as const, ...(await pause(ctx, options)) }));
  }

  async resume(): Promise<PauseOutcome> {
    const { resume } = await import('../runner/control.js');
    const ctx = await this.#context();
    return nothingActiveAsResult(async () => ({ kind: 'resumed' as const, ...(await resume(ctx)) }));
  }

  /** Changes a running backfill's batch size or rate cap (null removes the cap); a UsageError for a bad value. */
  async tune(change: Control): Promise<TuneOutcome> {
    const { tune } = await import('../runner/control.js');
    const ctx = await this.#context();
    return nothingActiveAsResult(async () => ({ kind: 'tuned' as const, ...(await tune(ctx, change)) }));
  }

  /**
   * Lints SQL files, zdm migration files (their `sql` operations) and/or SQL text. Needs no database
   * unless `catalog`.
   */
  async lint(target: LintTarget | string[], request: LintRequest = {}): Promise<LintResult> {
    const liveCatalog = request.catalog ? await this.#liveCatalog() : undefined;
    return runLint(target, {
      ...request,
      settings: this.settings.lint,
      cwd: this.#setup.cwd,
      ...(liveCatalog ? { liveCatalog } : {}),
    });
  }

  /** The runner's events (phases, steps, gates, backfill progress) until close(). */
  events(): AsyncIterableIterator<RunnerEvent> {
    return this.#events.iterate();
  }

  /** Closes zdm's connections (a `pool` given by the caller stays open) and ends the event iterators. */
  async close(): Promise<void> {
    const opened = this.#opened;
    this.#opened = undefined;
    this.#events.close();
    if (opened) await (await opened.catch(() => undefined))?.conn.close();
  }

  /** Connects on first use; a failed connection is tried again by the next call. */
  async #context(): Promise<RunnerContext> {
    const opening = (this.#opened ??= this.#open());
    try {
      return (await opening).ctx;
    } catch (err) {
      if (this.#opened === opening) this.#opened = undefined;
      throw err;
    }
  }

  async #liveCatalog() {
    const [{ createLiveCatalog }, { redactUrl }] = await Promise.all([
      import('../lint/catalog.js'),
      import('../db/connect.js'),
    ]);
    const ctx = await this.#context();
    try {
      return await createLiveCatalog(ctx.conn.pool);
    } catch (err) {
      throw new DatabaseError(`cannot read the catalog of ${redactUrl(ctx.conn.url)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async #open(): Promise<Opened> {
    const s = this.#setup;
    const [db, { createRunnerContext }, { migrationFromObject }] = await Promise.all([
      import('../db/connect.js'),
      import('../exec/context.js'),
      import('../migration/load.js'),
    ]);
    const migrations = s.migrations?.map((m) => migrationFromObject(m.name, m.migration));
    const actor = db.currentActor();
    const name = db.applicationName(s.label, actor);
    if (!s.pool && !s.config.databaseUrl) throw new UsageError('no database given: pass databaseUrl or pool');
    const conn = s.pool
      ? db.connectPool(s.pool, name)
      : db.connect(s.config.databaseUrl!, name, {
          max: Math.max(4, s.config.workers + 3),
          ...(s.schema ? { searchPath: s.schema } : {}),
        });
    try {
      const server = await db.checkConnection(conn);
      s.log?.debug({ database: db.redactUrl(conn.url), server: server.serverVersionNum }, 'connected');
    } catch (err) {
      await conn.close();
      throw err;
    }
    const ctx = createRunnerContext(conn, {
      migrationsDir: s.config.migrationsDir,
      ...(migrations ? { migrations } : {}),
      settings: s.config,
      stateSchema: s.config.stateSchema,
      actor,
      ...(s.log ? { log: s.log } : {}),
      ...(s.signal ? { signal: s.signal } : {}),
      emit: this.#events.emit,
      ...(s.gatePacing ? { gatePacing: s.gatePacing } : {}),
    });
    return { conn, ctx };
  }
}

/** Another runner holding the lock is an expected outcome for a library caller: a result, not a throw. */
async function lockedAsResult<T>(fn: () => Promise<T>): Promise<T | LockedResult> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LockHeldError) return { kind: 'locked', message: err.message, holder: err.holder ?? null };
    throw err;
  }
}

/** So is finding no active migration to roll back, pause, resume or tune. */
async function nothingActiveAsResult<T>(fn: () => Promise<T>): Promise<T | NothingActiveResult> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NoActiveMigrationError) return { kind: 'nothing-active', message: err.message };
    throw err;
  }
}

import pino, { type Logger } from 'pino';
import { currentActor, type Actor, type Connection } from '../db/connect.js';
import {
  DEFAULT_STATE_SCHEMA,
  DEFAULT_BATCH_SIZE,
  DEFAULT_GATE_TIMEOUT_MS,
  DEFAULT_LOCK_RETRIES,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_MAX_LAG_BYTES,
  DEFAULT_MAX_LAG_MS,
  DEFAULT_MAX_XACT_AGE_MS,
  DEFAULT_TARGET_BATCH_MS,
} from '../defaults.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { loadMigrations, type MigrationFile } from '../migration/load.js';
import { StateStore } from './state-store.js';
import type { RunnerEvent } from './events.js';
import type { StepObserver } from './observer.js';
import type { GatePacing } from '../replication/gate.js';

/** Limits that keep a running migration from hurting the application (see src/defaults.ts). */
export type SafetySettings = Pick<
  ResolvedConfig,
  | 'lockTimeoutMs'
  | 'lockRetries'
  | 'gateTimeoutMs'
  | 'maxLagMs'
  | 'maxLagBytes'
  | 'replicas'
  | 'batchSize'
  | 'targetBatchMs'
  | 'maxRowsPerSecond'
  | 'workers'
  | 'throttleQuery'
  | 'maxXactAgeMs'
  | 'allowMissingReplica'
  | 'allowWalRisk'
>;

/** Everything the core needs to run; the CLI builds it. The core never reads env or argv. */
export interface RunnerContext {
  conn: Connection;
  state: StateStore;
  stateSchema: string;
  migrationsDir: string;
  /** The migrations, in order: the directory's files, or the objects a library caller gave. */
  loadMigrations: () => Promise<MigrationFile[]>;
  settings: SafetySettings;
  log: Logger;
  signal: AbortSignal;
  /** Progress and gate events for the CLI (progress bar, JSON lines). */
  emit: (event: RunnerEvent) => void;
  /** Watches steps run (the trace harness); undefined in ordinary runs. */
  observer?: StepObserver;
  /**
   * How long phase gates sample lag and pause while closed (src/defaults.ts when not given). Not a
   * safety limit: the test suite shortens it so that a migration's three or four gates do not
   * add seconds to every test; the CLI and library callers keep the defaults.
   */
  gatePacing?: Partial<GatePacing>;
}

/** The safety settings with every default of src/defaults.ts. */
function defaultSafetySettings(overrides: Partial<SafetySettings> = {}): SafetySettings {
  return {
    lockTimeoutMs: DEFAULT_LOCK_TIMEOUT_MS,
    lockRetries: DEFAULT_LOCK_RETRIES,
    gateTimeoutMs: DEFAULT_GATE_TIMEOUT_MS,
    maxLagMs: DEFAULT_MAX_LAG_MS,
    maxLagBytes: DEFAULT_MAX_LAG_BYTES,
    replicas: [],
    batchSize: DEFAULT_BATCH_SIZE,
    targetBatchMs: DEFAULT_TARGET_BATCH_MS,
    maxRowsPerSecond: undefined,
    workers: 1,
    throttleQuery: undefined,
    maxXactAgeMs: DEFAULT_MAX_XACT_AGE_MS,
    allowMissingReplica: false,
    allowWalRisk: false,
    ...overrides,
  };
}

export interface RunnerContextOptions {
  migrationsDir: string;
  /** Migrations given as objects (library callers): used instead of reading migrationsDir. */
  migrations?: readonly MigrationFile[];
  /** Every setting not given takes its default (defaultSafetySettings). */
  settings?: Partial<SafetySettings>;
  stateSchema?: string;
  /** Who the audit log names (default: currentActor()). */
  actor?: Actor;
  log?: Logger;
  signal?: AbortSignal;
  emit?: (event: RunnerEvent) => void;
  observer?: StepObserver;
  gatePacing?: Partial<GatePacing>;
}

/** The one way a RunnerContext is put together (CLI, library callers, tests, benches) on an open connection. */
export function createRunnerContext(conn: Connection, o: RunnerContextOptions): RunnerContext {
  const stateSchema = o.stateSchema ?? DEFAULT_STATE_SCHEMA;
  return {
    conn,
    state: new StateStore(stateSchema, o.actor ?? currentActor()),
    stateSchema,
    migrationsDir: o.migrationsDir,
    loadMigrations: o.migrations ? () => Promise.resolve([...o.migrations!]) : () => loadMigrations(o.migrationsDir),
    settings: defaultSafetySettings(o.settings),
    log: o.log ?? pino({ level: 'silent' }),
    signal: o.signal ?? new AbortController().signal,
    emit: o.emit ?? (() => undefined),
    ...(o.observer ? { observer: o.observer } : {}),
    ...(o.gatePacing ? { gatePacing: o.gatePacing } : {}),
  };
}

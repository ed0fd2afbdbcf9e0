import type { Logger } from 'pino';
import { DEFAULT_BATCH_SIZE, DEFAULT_GATE_TIMEOUT_MS, DEFAULT_LOCK_RETRIES, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_MAX_LAG_BYTES, DEFAULT_MAX_LAG_MS, DEFAULT_MAX_XACT_AGE_MS, DEFAULT_TARGET_BATCH_MS } from '../defaults.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Connection } from '../db/connect.js';
import type { StateStore } from './state-store.js';
import type { RunnerEvent } from './events.js';

/** Limits that keep a running migration from hurting the application (see src/defaults.ts). */
export type SafetySettings = Pick<
  ResolvedConfig,
  'lockTimeoutMs' | 'lockRetries' | 'gateTimeoutMs' | 'maxLagMs' | 'maxLagBytes' | 'replicas' | 'batchSize' | 'targetBatchMs' | 'maxRowsPerSecond' | 'workers' | 'throttleQuery' | 'maxXactAgeMs' | 'allowMissingReplica' | 'allowWalRisk'
>;

/** Everything the core needs to run; the CLI builds it. The core never reads env or argv. */
export interface RunnerContext {
  conn: Connection;
  state: StateStore;
  stateSchema: string;
  migrationsDir: string;
  settings: SafetySettings;
  log: Logger;
  signal: AbortSignal;
  /** Progress and gate events for the CLI (progress bar, JSON lines). */
  emit: (event: RunnerEvent) => void;
}

/** The safety settings with every default of src/defaults.ts (for library callers and benches). */
export function defaultSafetySettings(overrides: Partial<SafetySettings> = {}): SafetySettings {
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

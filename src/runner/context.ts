import type { Logger } from 'pino';
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

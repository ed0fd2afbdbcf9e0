import type { Phase } from '../plan/types.js';

/** Structured events the runner emits while it works; the CLI renders them (bar, log lines, JSON). */
export type RunnerEvent =
  | { type: 'phase-start'; migration: string; phase: Phase }
  | { type: 'phase-done'; migration: string; phase: Phase; ms: number }
  | { type: 'step-start'; migration: string; stepId: string; description: string }
  | { type: 'step-done'; migration: string; stepId: string; ms: number; attempts: number }
  | { type: 'step-skip'; migration: string; stepId: string; reason: string }
  | { type: 'lock-retry'; migration: string; stepId: string; attempt: number; delayMs: number; blockers: string[] }
  | { type: 'gate'; migration: string; phase: Phase; open: boolean; reason: string; lag: LagSummary[] }
  | { type: 'backfill-progress'; migration: string; stepId: string; table: string; progress: BackfillProgress }
  | { type: 'backfill-pause'; migration: string; stepId: string; reason: string; waitedMs: number }
  | ({ type: 'backfill-control'; migration: string; stepId: string } & OperatorChange);

/**
 * What an operator changed (zdm pause / resume / tune, from any terminal), as a running backfill
 * read it: `pause` with its reason ('' when none was given), `resume`, or `tune` with the batch
 * size and the rate cap now in force (`maxRowsPerSecond` null: no cap).
 */
export type OperatorChange =
  | { change: 'pause'; reason: string }
  | { change: 'resume' }
  | { change: 'tune'; batchSize?: number; maxRowsPerSecond?: number | null };

export interface LagSummary {
  replica: string;
  seconds: number | null;
  bytes: number | null;
  problem?: string;
  warning?: string;
}

export interface BackfillProgress {
  rowsScanned: number;
  rowsUpdated: number;
  totalEstimate: number;
  batches: number;
  batchSize: number;
  rowsPerSecond: number;
  etaSeconds: number | null;
  lastBatchMs: number;
  lag: LagSummary[];
  paused: string | null;
  /** How long the backfill has been paused (0 while running). */
  pausedMs: number;
  /** Since this runner started on the backfill (a resumed backfill: since the resume). */
  elapsedMs: number;
  /** Rows this runner's run covered (of rowsScanned; the rest were done before a resume). */
  rowsThisRun: number;
  /** Pauses of this run so far and their total time (the current one included). */
  pauses: number;
  pausedTotalMs: number;
  /** The backfill reached the end of the table: totalEstimate is then the rows it covered (100%). */
  done: boolean;
}

/** The part of a backfill's progress only its runner knows, kept in zdm.backfills.live for zdm status. */
export interface LiveProgress {
  /** When the runner wrote it (the database's clock, ISO). */
  at: string;
  rowsPerSecond: number;
  etaSeconds: number | null;
  batchSize: number;
  lag: LagSummary[];
  paused: string | null;
  pausedMs: number;
}

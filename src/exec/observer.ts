import type pg from 'pg';
import type { Step } from '../plan/types.js';

/**
 * Watches the executor run steps: the trace harness (src/trace/) implements it to see which
 * sessions run a step's SQL and what they lock. The executor and the backfill call it; nothing
 * else does. Absent in ordinary runs (RunnerContext.observer undefined).
 */
export interface StepObserver {
  /** Before the executor runs `step`, or its undo (`undo` true) in a rollback. */
  stepStarting(step: Step, undo: boolean): Promise<void>;
  /** A session is about to run SQL of the step (a backfill worker, once for all its batches). */
  session(step: Step, client: pg.ClientBase): Promise<void>;
  /** The session is done with the step's SQL (not called when the step failed). */
  sessionDone(step: Step, client: pg.ClientBase): Promise<void>;
  /** The step's statements (or one backfill batch) ran in a transaction not yet committed: its locks are still held. */
  beforeCommit(step: Step, client: pg.ClientBase): Promise<void>;
  /** After the step (or its undo) ended, whether it succeeded or failed. */
  stepEnded(step: Step, undo: boolean): Promise<void>;
}

import { errorMessage, InterruptedError, LockHeldError } from '../errors.js';
import type { Phase } from '../plan/types.js';
import type { FleetTarget } from './targets.js';

/**
 * One target's outcome. `done`: it did what was asked (or had nothing to do); `waiting`: a gate
 * stayed closed; `locked`: another runner holds its lock; `failed`: an error (in `error`);
 * `not-started`: a canary or (with on-failure stop) another target failed first.
 */
export type TargetStatus = 'done' | 'waiting' | 'locked' | 'failed' | 'interrupted' | 'not-started';

export interface TargetOutcome {
  target: string;
  migration: string | null;
  /** The last completed phase (or, for `waiting`, the phase it waits before). */
  phase: Phase | null;
  status: TargetStatus;
  /** What happened, in a few words (`ran expand, backfill`, `nothing pending`, `rolled back 4 steps`). */
  note: string;
  ms: number;
  error: string | null;
}

/** One target's work; it may report its own failure (with its migration and phase) or throw. */
export type TargetWork = (target: FleetTarget) => Promise<Omit<TargetOutcome, 'target' | 'ms'>>;

export interface FleetOptions {
  /** These many targets first, all the way; the rest start only if every canary is done. */
  canary: number;
  /** Targets worked on at once (after the canaries). */
  concurrency: number;
  /** `stop`: start no new target once one failed; `continue`: go on with the others. */
  onFailure: 'stop' | 'continue';
  signal: AbortSignal;
  /** After each target starts or finishes: counts for a progress line. */
  onProgress?: (progress: FleetProgress) => void;
}

export interface FleetProgress {
  total: number;
  done: number;
  running: number;
  failed: number;
  waiting: number;
  /** The target that just finished, if any. */
  finished?: TargetOutcome;
}

/** Runs `work` on every target: canaries first, then up to `concurrency` at once; never throws. */
export async function runOnTargets(
  targets: FleetTarget[],
  work: TargetWork,
  options: FleetOptions,
): Promise<TargetOutcome[]> {
  const outcomes = new Map<string, TargetOutcome>();
  const progress: FleetProgress = { total: targets.length, done: 0, running: 0, failed: 0, waiting: 0 };
  const runOne = async (target: FleetTarget) => {
    progress.running++;
    options.onProgress?.({ ...progress });
    const outcome = await attempt(target, work, options.signal);
    outcomes.set(target.name, outcome);
    progress.running--;
    if (outcome.status === 'done') progress.done++;
    else if (outcome.status === 'waiting' || outcome.status === 'locked') progress.waiting++;
    else progress.failed++;
    options.onProgress?.({ ...progress, finished: outcome });
  };
  const canaries = targets.slice(0, options.canary);
  await pool(canaries, options.concurrency, runOne, () => false);
  const canaryOk = canaries.every((t) => outcomes.get(t.name)?.status === 'done');
  const stop = () => options.signal.aborted || (options.onFailure === 'stop' && progress.failed > 0) || !canaryOk;
  await pool(targets.slice(options.canary), options.concurrency, runOne, stop);
  return targets.map((t) => outcomes.get(t.name) ?? notStarted(t, canaryOk, options.signal));
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>, stop: () => boolean) {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
}

async function attempt(target: FleetTarget, work: TargetWork, signal: AbortSignal): Promise<TargetOutcome> {
  const started = Date.now();
  const base = { target: target.name, migration: null, phase: null };
  try {
    const result = await work(target);
    return { ...result, target: target.name, ms: Date.now() - started };
  } catch (err) {
    const ms = Date.now() - started;
    if (err instanceof LockHeldError) return { ...base, status: 'locked', note: 'lock held', ms, error: err.message };
    const status = err instanceof InterruptedError || signal.aborted ? 'interrupted' : 'failed';
    return { ...base, status, note: status, ms, error: errorMessage(err) };
  }
}

function notStarted(t: FleetTarget, canaryOk: boolean, signal: AbortSignal): TargetOutcome {
  const why = signal.aborted ? 'interrupted' : canaryOk ? 'another target failed' : 'a canary did not finish';
  return {
    target: t.name,
    migration: null,
    phase: null,
    status: 'not-started',
    note: why,
    ms: 0,
    error: null,
  };
}

import { displayName } from '../db/quote.js';
import { StepFailedError, errorMessage } from '../errors.js';
import { strongestLock } from '../plan/describe.js';
import { LOCK_MODES, type LockMode } from '../plan/types.js';
import { claimedImpact, compareTrace, mismatchText, type Mismatch } from '../trace/compare.js';
import type { StepTrace } from '../trace/tracer.js';

/** One step of a rehearsal run: what the plan claims beside what was observed. */
export interface RehearsedStep {
  id: string;
  phase: string;
  undo: boolean;
  claimed: { lock: string; rewrites: boolean; scans: boolean };
  observed: {
    locks: { relation: string; mode: string; heldMs: number }[];
    rewrites: string[];
    scans: string[];
    ms: number;
  };
  /** Claims the observation exceeds (`... lock on public.t: plan SHARE, observed ACCESS EXCLUSIVE`): the rehearsal fails. */
  mismatches: string[];
  /** Claims stronger than what was observed (the plan states the worst case, e.g. a scan the sample's index answered): reported only. */
  overstated: string[];
}

export interface RehearsalFailure {
  step: string | null;
  /** The object the error names (table, column, constraint), else the step's subject. */
  object: string | null;
  message: string;
}

export interface RehearsalRun {
  /** `forward`: expand, backfill, switch, contract; `rollback`: expand, then rollback. */
  name: 'forward' | 'rollback';
  steps: RehearsedStep[];
  failure: RehearsalFailure | null;
}

/** A run's traces as report rows. PURE. */
export function rehearsedSteps(traces: StepTrace[]): RehearsedStep[] {
  return traces.map((t) => {
    const impact = claimedImpact(t) ?? { locks: [], lockDuration: 'none', rewritesTable: false, scansTable: false };
    const claimed = strongestLock(impact);
    return {
      id: t.step.id,
      phase: t.step.phase,
      undo: t.undo,
      claimed: {
        lock: claimed ? `${claimed.mode} on ${displayName(claimed.relation)}` : 'none',
        rewrites: impact.rewritesTable,
        scans: impact.scansTable,
      },
      observed: {
        locks: t.locks
          .filter((l) => l.existed || impact.locks.some((c) => displayName(c.relation) === displayName(l.relation)))
          .map((l) => ({ relation: displayName(l.relation), mode: l.mode, heldMs: Math.round(l.heldMs) })),
        rewrites: t.rewritten.map(displayName),
        scans: t.scanned.map(displayName),
        ms: Math.round(t.ms),
      },
      ...split(compareTrace(t)),
    };
  });
}

function split(found: Mismatch[]): { mismatches: string[]; overstated: string[] } {
  const worse = (m: Mismatch) =>
    m.what === 'claim' || m.what === 'lock'
      ? LOCK_MODES.indexOf(m.observed as LockMode) > LOCK_MODES.indexOf(m.claimed as LockMode)
      : m.claimed === 'no';
  return {
    mismatches: found.filter(worse).map(mismatchText),
    overstated: found.filter((m) => !worse(m)).map(mismatchText),
  };
}

/**
 * The failure of a run: the step (from the error, else the last step traced) and the object the
 * error names (for a DROP that other objects block, those objects).
 */
export function failureOf(err: unknown, traces: StepTrace[]): RehearsalFailure {
  const last = traces.at(-1);
  const step = err instanceof StepFailedError ? err.stepId : (last?.step.id ?? null);
  const pgErr = (err instanceof Error && err.cause ? err.cause : err) as Record<string, unknown>;
  const named = [pgErr.schema, pgErr.table, pgErr.column].filter((p): p is string => typeof p === 'string' && p !== '');
  const dependents = pgErr.code === '2BP01' && typeof pgErr.detail === 'string' ? dependentsIn(pgErr.detail) : [];
  const object =
    dependents.length > 0
      ? dependents.join(', ')
      : typeof pgErr.constraint === 'string'
        ? pgErr.constraint
        : named.length > 1
          ? named.join('.')
          : (step?.split(':')[1] ?? null);
  return { step, object, message: errorMessage(err instanceof Error && err.cause instanceof Error ? err.cause : err) };
}

/**
 * The objects a DROP found depending on what it drops (dependent_objects_still_exist, 2BP01), from
 * the error's detail: `view public.legacy_count depends on table public.legacy`, one per line.
 */
function dependentsIn(detail: string): string[] {
  return detail
    .split('\n')
    .map((line) => /^(.+?) depends on /.exec(line.trim())?.[1])
    .filter((d): d is string => d !== undefined);
}

import { displayName, type QualifiedName } from '../db/quote.js';
import { LOCK_MODES, type Impact, type LockMode, type Step } from '../plan/types.js';
import type { StepTrace } from './tracer.js';

/** One claim of a step's `impact` that the trace contradicts. */
export interface Mismatch {
  stepId: string;
  /** The claim is the step's undo's (a rollback). */
  undo?: true;
  /** `claim`: an undo the plan states no impact for (a plan recorded before undos had one). */
  what: 'lock' | 'rewrite' | 'scan' | 'claim';
  /** The relation, for a lock. */
  relation?: string;
  claimed: string;
  observed: string;
}

const TABLE_KINDS = ['r', 'p'];

/**
 * A trace against the plan's claims for what ran: the step's `impact`, or its undo's when the
 * trace is of an undo (rollback). PURE.
 */
export function compareTrace(trace: StepTrace): Mismatch[] {
  if (!trace.undo) return compareStep(trace.step, trace);
  const impact = claimedImpact(trace);
  if (!impact) return [{ stepId: trace.step.id, undo: true, what: 'claim', claimed: 'none', observed: 'the undo ran' }];
  return compareImpact(trace.step.id, impact, trace).map((m) => ({ ...m, undo: true }));
}

/** What the plan claims for the traced work: the step's impact, or its undo's (undefined when the plan gives none). */
export function claimedImpact(trace: StepTrace): Impact | undefined {
  if (!trace.undo) return trace.step.impact;
  return 'undo' in trace.step ? trace.step.undo?.impact : undefined;
}

/**
 * The plan's claims against what was observed: the strongest lock on each relation (the ones the
 * step names, and every table that existed before it), rewrite yes/no, scan yes/no. PURE.
 */
export function compareStep(step: Step, trace: StepTrace): Mismatch[] {
  return compareImpact(step.id, step.impact, trace);
}

function compareImpact(stepId: string, impact: Impact, trace: StepTrace): Mismatch[] {
  const out: Mismatch[] = [];
  const claimed = new Map<string, LockMode>();
  for (const l of impact.locks) {
    const key = displayName(l.relation);
    const known = claimed.get(key);
    if (!known || LOCK_MODES.indexOf(l.mode) > LOCK_MODES.indexOf(known)) claimed.set(key, l.mode);
  }
  const observed = new Map<string, LockMode>();
  for (const l of trace.locks) {
    const key = displayName(l.relation);
    if (claimed.has(key) || (l.existed && TABLE_KINDS.includes(l.relkind))) observed.set(key, l.mode);
  }
  for (const key of new Set([...claimed.keys(), ...observed.keys()])) {
    const c = claimed.get(key);
    const o = observed.get(key);
    if (c !== o) out.push({ stepId, what: 'lock', relation: key, claimed: c ?? 'none', observed: o ?? 'none' });
  }
  const rewrite = yesNoMismatch(stepId, 'rewrite', impact.rewritesTable, trace.rewritten);
  const scan = yesNoMismatch(stepId, 'scan', impact.scansTable, trace.scanned);
  return [...out, ...(rewrite ? [rewrite] : []), ...(scan ? [scan] : [])];
}

/** A rewrite or scan claim against the relations observed rewritten or scanned. */
function yesNoMismatch(
  stepId: string,
  what: 'rewrite' | 'scan',
  claimed: boolean,
  seen: readonly QualifiedName[],
): Mismatch | undefined {
  if (seen.length > 0 === claimed) return undefined;
  return {
    stepId,
    what,
    claimed: yesNo(claimed),
    observed: seen.length > 0 ? `yes (${seen.map(displayName).join(', ')})` : 'no',
  };
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

/** `add_column:public.orders.token:expand:1 lock on public.orders: plan ACCESS EXCLUSIVE, observed SHARE` */
export function mismatchText(m: Mismatch): string {
  return `${m.undo ? 'undo of ' : ''}${m.stepId} ${m.what}${m.relation ? ` on ${m.relation}` : ''}: plan ${m.claimed}, observed ${m.observed}`;
}

import { displayName } from '../db/quote.js';
import { strongestLock } from './describe.js';
import { lockEffect, PHASES, type Phase, type Plan, type Step } from './types.js';

/*
 * PURE: the plan as a Mermaid flowchart (GitHub renders a ```mermaid block): the four phases as
 * boxes titled with the application versions that may run during them, each step a node labelled
 * with its table and strongest lock and coloured by what that lock blocks, and the gates between
 * phases as hexagons.
 */

/** Who may run against the database during each phase (the phase model of the README). */
const PHASE_APPS: Record<Phase, string> = {
  expand: 'old app runs',
  backfill: 'old app runs, new app may start',
  switch: 'old and new app side by side',
  contract: 'new app only, no rollback',
};

type LockClass = 'free' | 'writes' | 'all' | 'none';

const CLASS_STYLE: Record<LockClass, string> = {
  none: 'fill:#f6f8fa,stroke:#8c959f,color:#24292f',
  free: 'fill:#dafbe1,stroke:#1a7f37,color:#24292f',
  writes: 'fill:#fff8c5,stroke:#9a6700,color:#24292f',
  all: 'fill:#ffebe9,stroke:#cf222e,color:#24292f',
};

const LEGEND: Record<LockClass, string> = {
  none: 'no table lock',
  free: 'reads and writes continue',
  writes: 'blocks writes',
  all: 'blocks reads and writes',
};

/** Text inside a quoted Mermaid label: quotes and angle brackets as Mermaid entity codes. */
function label(text: string): string {
  return text.replaceAll('"', '#quot;').replaceAll('<', '#lt;').replaceAll('>', '#gt;');
}

function lockClass(step: Step): LockClass {
  const lock = strongestLock(step.impact);
  if (!lock) return 'none';
  const effect = lockEffect(lock.mode);
  return effect === 'blocks writes' ? 'writes' : effect === 'blocks reads and writes' ? 'all' : 'free';
}

/** `add_column public.orders.token #1` over `public.orders: ACCESS EXCLUSIVE (brief)`. */
function stepLabel(step: Step): string {
  const [kind, subject, , n] = step.id.split(':');
  const lock = strongestLock(step.impact);
  const others = new Set(step.impact.locks.map((l) => displayName(l.relation))).size - 1;
  const where = lock
    ? `${displayName(lock.relation)}${others > 0 ? ` +${others}` : ''}: ${lock.mode} (${step.impact.lockDuration})`
    : 'no table lock';
  const extra = [step.impact.rewritesTable ? 'REWRITES' : '', step.impact.scansTable ? 'scans' : '']
    .filter(Boolean)
    .join(', ');
  return [`${kind} ${subject ?? ''} #${n ?? ''}`, where, extra].filter(Boolean).map(label).join('<br/>');
}

function gateLabel(plan: Plan, phase: Phase): string | undefined {
  const gates = plan.gates.filter((g) => g.phase === phase);
  if (gates.length === 0) return undefined;
  const short: Record<string, string> = {
    'replica-lag': 'replica lag',
    'backfill-complete': 'backfill complete',
    'steps-complete': 'steps complete',
    operator: 'operator: old app retired',
  };
  return `gate: ${gates.map((g) => short[g.kind] ?? g.kind).join(', ')}`;
}

/** The diagram's source (without the ``` fence). */
export function planDiagram(plan: Plan): string {
  const out = ['flowchart TB'];
  const classes: Record<LockClass, string[]> = { none: [], free: [], writes: [], all: [] };
  let n = 0;
  PHASES.forEach((phase, i) => {
    const steps = plan.steps.filter((s) => s.phase === phase);
    out.push(`  subgraph P${i}["${i + 1}. ${phase}: ${PHASE_APPS[phase]}"]`, '    direction TB');
    if (steps.length === 0) out.push(`    E${i}["nothing to do"]`);
    const ids = steps.map((step) => {
      const id = `S${n++}`;
      classes[lockClass(step)].push(id);
      out.push(`    ${id}["${stepLabel(step)}"]`);
      return id;
    });
    if (ids.length > 1) out.push(`    ${ids.join(' --> ')}`);
    out.push('  end');
  });
  PHASES.forEach((phase, i) => {
    if (i === 0) return;
    const gate = gateLabel(plan, phase);
    out.push(gate ? `  P${i - 1} --> G${i}{{"${label(gate)}"}} --> P${i}` : `  P${i - 1} --> P${i}`);
  });
  const firstGate = gateLabel(plan, 'expand');
  if (firstGate) out.push(`  G0{{"${label(firstGate)}"}} --> P0`);
  out.push(...legend());
  for (const [cls, style] of Object.entries(CLASS_STYLE)) out.push(`  classDef ${cls} ${style}`);
  for (const [cls, ids] of Object.entries(classes)) if (ids.length) out.push(`  class ${ids.join(',')} ${cls}`);
  return out.join('\n');
}

function legend(): string[] {
  const entries = Object.entries(LEGEND) as [LockClass, string][];
  return [
    '  subgraph legend["lock colours"]',
    '    direction LR',
    ...entries.map(([cls, text]) => `    L_${cls}["${text}"]:::${cls}`),
    '  end',
  ];
}

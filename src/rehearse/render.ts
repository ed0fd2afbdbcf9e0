import type { RehearsalReport } from './rehearse.js';
import type { RehearsalRun, RehearsedStep } from './report.js';

/** The rehearsal as text: per run, each step's claimed and observed impact, then failures and notes. PURE. */
export function renderRehearsal(report: RehearsalReport): string {
  const out = [
    `Rehearsal of ${report.migration} on a sample ` +
      `(Postgres ${report.rehearsalVersion.replace(/^postgres \(PostgreSQL\) /, '')}; ` +
      `target ${report.targetVersion})`,
    'A rehearsal on a sample of rows on a throwaway server: ' +
      'it proves the steps run and lock what the plan says, not how long they take on the real tables.',
    `Sample: ${report.sample.map((s) => `${s.table} ${s.rows} rows`).join(', ') || 'no tables'}`,
  ];
  for (const run of report.runs) out.push('', ...runLines(run));
  if (report.notes.length) out.push('', 'Notes:', ...report.notes.map((n) => `  - ${n}`));
  out.push('', report.ok ? 'Rehearsal passed: every step ran and observed = planned.' : 'Rehearsal FAILED.');
  return `${out.join('\n')}\n`;
}

function runLines(run: RehearsalRun): string[] {
  const title = run.name === 'forward' ? 'expand -> backfill -> switch -> contract' : 'expand -> rollback';
  const lines = [`${title}:`];
  for (const step of run.steps) lines.push(...stepLines(step));
  if (run.failure)
    lines.push(
      `  FAILED at step ${run.failure.step ?? '(before any step)'}${run.failure.object ? ` on ${run.failure.object}` : ''}: ${run.failure.message}`,
    );
  return lines;
}

function stepLines(step: RehearsedStep): string[] {
  const observed = step.observed.locks.map((l) => `${l.mode} on ${l.relation} ~${l.heldMs} ms`).join(', ') || 'no lock';
  const flags = (claimed: boolean, seen: string[]) => `${claimed ? 'yes' : 'no'}/${seen.length ? 'yes' : 'no'}`;
  return [
    `  ${step.undo ? 'undo ' : ''}${step.id} (${step.observed.ms} ms)`,
    `    planned: ${step.claimed.lock}; observed: ${observed}; ` +
      `rewrite ${flags(step.claimed.rewrites, step.observed.rewrites)}, ` +
      `scan ${flags(step.claimed.scans, step.observed.scans)} (planned/observed)`,
    ...step.mismatches.map((m) => `    MISMATCH ${m}`),
    ...step.overstated.map((m) => `    (plan states more than observed: ${m})`),
  ];
}

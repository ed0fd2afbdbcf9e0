/**
 * Lints the SQL a zdm plan generates, in execution order, as one session: each transactional step
 * in its own BEGIN ... COMMIT, CONCURRENTLY steps outside any transaction, so the linter sees what
 * the executor does (a CHECK validated at the switch step proves the contract step's SET NOT NULL).
 * Backfill and verify steps are DML batches and are not linted.
 */
import type { Plan, Step } from '../plan/types.js';
import { lintSql, type Finding, type LintOptions } from './engine.js';

export interface PlanFinding extends Finding {
  /** The step whose SQL the finding is about. */
  stepId: string;
}

export async function lintPlan(
  plan: Pick<Plan, 'steps'>,
  options: Omit<LintOptions, 'file' | 'assumeInTransaction'> = {},
): Promise<PlanFinding[]> {
  const lines: string[] = [];
  const owner: (string | undefined)[] = [];
  const push = (text: string, step: Step | undefined) => {
    for (const line of text.split('\n')) {
      lines.push(line);
      owner.push(step?.id);
    }
  };
  for (const step of plan.steps) {
    if (step.kind === 'sql') {
      if (step.transactional) push('BEGIN;', step);
      for (const s of step.statements) push(`${s};`, step);
      if (step.transactional) push('COMMIT;', step);
    } else if (step.kind === 'create-index') push(`${step.statement};`, step);
  }
  const findings = await lintSql(lines.join('\n'), { ...options, file: 'plan' });
  return findings.map((f) => ({ ...f, stepId: owner[f.line - 1] ?? 'plan' }));
}

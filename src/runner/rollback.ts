import { assertNever, NoActiveMigrationError, StateError } from '../errors.js';
import type { Step, Undo } from '../plan/types.js';
import type { RunnerContext } from '../exec/context.js';
import type { StepStatus } from '../exec/state-store.js';
import { executeUndo } from './executor.js';
import { activeView, migrationViews, withRunnerLock } from './session.js';

export interface RollbackResult {
  migration: string;
  undone: string[];
}

/**
 * What undoes a step that ran (`failed`: its last run failed). A transactional step that failed
 * applied nothing (its transaction rolled back): running its undo could fail on what is not there
 * (ALTER COLUMN ... TYPE back, a rollback SQL dropping a column never added) and leave the migration
 * stuck between a failed expand and a failed rollback.
 */
function undoOf(step: Step, failed: boolean): Undo | undefined {
  switch (step.kind) {
    case 'sql':
      return failed && step.transactional ? undefined : step.undo;
    case 'create-index':
      return step.undo;
    case 'backfill':
    case 'verify':
      // A backfill only wrote into columns that the expand undo drops; a verify changed nothing.
      return undefined;
    default:
      return assertNever(step, 'step kind');
  }
}

/**
 * Runs a step's undo. A failed undo records the step as failed; it gets the status it had back (a
 * step that was done is still applied), so that a rollback run again after the cause is fixed (the
 * new version's NULLs under a NOT NULL coming back) undoes it instead of taking it for a step that
 * failed forward and applied nothing.
 */
async function undoStep(step: Step, undo: Undo, was: StepStatus, migration: string, ctx: RunnerContext) {
  try {
    await executeUndo(step, undo, migration, ctx);
  } catch (err) {
    const status = was === 'done' ? 'done' : 'failed';
    await ctx.state
      .stepFinished(ctx.conn.pool, migration, step.id, step.phase, status, `rollback: ${(err as Error).message}`)
      .catch(() => undefined);
    throw err;
  }
}

/**
 * Undoes the active migration's steps in reverse order, so the database ends exactly as it was
 * before expand. Allowed any time before contract starts (contract destroys the old shape).
 * Each undo is idempotent and recorded, so an interrupted rollback can simply be run again.
 */
export async function rollback(ctx: RunnerContext, options: { lockWaitMs?: number } = {}): Promise<RollbackResult> {
  return withRunnerLock(ctx, options.lockWaitMs ?? 0, async () => {
    const pool = ctx.conn.pool;
    const view = activeView(await migrationViews(ctx, pool), { allowDrift: true, allowMissingFile: true });
    if (!view?.row) throw new NoActiveMigrationError('no active migration to roll back');
    const row = view.row;
    const plan = row.plan;
    const stepRows = new Map((await ctx.state.steps(pool, plan.migration)).map((s) => [s.step_id, s]));
    const contractStarted =
      row.phase === 'contract' ||
      row.current_phase === 'contract' ||
      plan.steps.some((s) => s.phase === 'contract' && stepRows.has(s.id));
    if (contractStarted) {
      throw new StateError(
        `${plan.migration}: contract has started, which drops the old shape; ` +
          `it cannot be rolled back. Run zdm advance to finish it`,
      );
    }
    await ctx.state.audit(pool, {
      migration: plan.migration,
      action: 'rollback',
      phase: row.phase,
      outcome: 'started',
      checksum: plan.checksum,
    });
    const undone: string[] = [];
    try {
      for (const step of [...plan.steps].reverse()) {
        const state = stepRows.get(step.id);
        if (!state || state.status === 'undone') continue;
        const undo = undoOf(step, state.status === 'failed');
        ctx.log.info(
          { migration: plan.migration, step: step.id },
          undo ? `undo: ${undo.statements.join('; ')}` : 'nothing to undo',
        );
        if (undo) await undoStep(step, undo, state.status, plan.migration, ctx);
        else await ctx.state.stepFinished(pool, plan.migration, step.id, step.phase, 'undone');
        undone.push(step.id);
      }
    } catch (err) {
      await ctx.state
        .audit(pool, {
          migration: plan.migration,
          action: 'rollback',
          outcome: 'failed',
          checksum: plan.checksum,
          detail: { error: (err as Error).message },
        })
        .catch(() => undefined);
      throw err;
    }
    await ctx.state.deleteBackfills(pool, plan.migration);
    await ctx.state.setPhase(pool, plan.migration, {
      status: 'rolled_back',
      phase: null,
      current_phase: null,
      last_error: null,
    });
    await ctx.state.audit(pool, {
      migration: plan.migration,
      action: 'rollback',
      outcome: 'succeeded',
      checksum: plan.checksum,
      detail: { undone: undone.length },
    });
    return { migration: plan.migration, undone };
  });
}

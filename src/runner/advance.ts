import { displayName } from '../db/quote.js';
import { errorMessage, InterruptedError, ValidationError, ZdmError } from '../errors.js';
import { PHASES, phaseIndex, type Phase, type Plan } from '../plan/types.js';
import { summarize, waitForLagGate } from '../replication/gate.js';
import { createLagProbe } from '../replication/lag-probe.js';
import type pg from 'pg';
import type { RunnerContext } from '../exec/context.js';
import { sqlState } from '../exec/retry.js';
import { inTransaction, withClient } from '../exec/transaction.js';
import { executeStep } from './executor.js';
import { missingPrivileges } from './privileges.js';
import { activeView, migrationViews, planFile, withRunnerLock } from './session.js';
import type { MigrationRow } from '../exec/state-store.js';

export interface AdvanceOptions {
  /** Run phases up to and including this one; default: only the next phase. */
  until?: Phase;
  /** How long to wait for another runner's lock before giving up (default: not at all). */
  lockWaitMs?: number;
}

export type AdvanceResult =
  | { kind: 'nothing-pending' }
  | { kind: 'advanced'; migration: string; ran: Phase[]; phase: Phase | null; complete: boolean }
  | { kind: 'waiting'; migration: string; ran: Phase[]; phase: Phase; reason: string };

/**
 * Runs the next phase (or phases, with `until`) of the active migration, or activates and expands
 * the next pending one. Returns "waiting" when a gate stays closed; throws typed errors otherwise.
 */
export async function advance(ctx: RunnerContext, options: AdvanceOptions = {}): Promise<AdvanceResult> {
  return withRunnerLock(ctx, options.lockWaitMs ?? 0, async () => {
    const pool = ctx.conn.pool;
    const views = await migrationViews(ctx, pool);
    let row = activeView(views)?.row;
    if (!row) {
      const next = views.find((v) => v.file && v.row?.status !== 'complete');
      if (!next?.file) return { kind: 'nothing-pending' };
      row = await activate(ctx, next.file);
    }
    return runPhases(ctx, row, options.until);
  });
}

async function activate(
  ctx: RunnerContext,
  file: NonNullable<Awaited<ReturnType<typeof migrationViews>>[number]['file']>,
): Promise<MigrationRow> {
  const pool = ctx.conn.pool;
  const plan = await planFile(pool, file);
  const busy = await ctx.state.activeTarget(pool, plan.targetSchemas);
  if (busy) {
    throw new ValidationError([
      {
        file: file.file,
        message:
          `schema ${busy.schema_name} already has an active migration (${busy.migration}); ` +
          `finish it (zdm advance) or roll it back (zdm rollback) first`,
      },
    ]);
  }
  const missing = await missingPrivileges(pool, plan);
  if (missing.length > 0) throw new ValidationError(missing.map((message) => ({ file: file.file, message })));
  try {
    const record = (client: pg.PoolClient) =>
      inTransaction(client, async () => {
        await ctx.state.activate(client, plan, file.file);
        await ctx.state.audit(client, {
          migration: plan.migration,
          action: 'activate',
          outcome: 'succeeded',
          checksum: plan.checksum,
          detail: { steps: plan.steps.length, targetSchemas: plan.targetSchemas },
        });
      });
    await withClient(pool, record, { reuse: true });
  } catch (err) {
    // The partial unique index on migration_targets: another runner activated one meanwhile.
    if (sqlState(err) === '23505')
      throw new ValidationError([
        {
          file: file.file,
          message: `another migration became active on schema(s) ${plan.targetSchemas.join(', ')} at the same time`,
        },
      ]);
    throw err;
  }
  ctx.log.info({ migration: plan.migration, steps: plan.steps.length }, 'migration activated');
  return (await ctx.state.migration(pool, plan.migration))!;
}

async function runPhases(ctx: RunnerContext, row: MigrationRow, until: Phase | undefined): Promise<AdvanceResult> {
  const pool = ctx.conn.pool;
  const plan = row.plan;
  const ran: Phase[] = [];
  const first = row.phase === null ? 0 : phaseIndex(row.phase) + 1;
  const last = until ? phaseIndex(until) : first;
  let phase: Phase | null = row.phase;
  for (let i = first; i <= last && i < PHASES.length; i++) {
    const next = PHASES[i]!;
    const steps = plan.steps.filter((s) => s.phase === next);
    if (steps.length > 0) {
      const probe = createLagProbe(ctx);
      const verdict = await waitForLagGate(probe, ctx.settings, {
        timeoutMs: ctx.settings.gateTimeoutMs,
        signal: ctx.signal,
        ...(ctx.gatePacing ? { pacing: ctx.gatePacing } : {}),
        onClosed: (v, waitedMs) => {
          ctx.emit({
            type: 'gate',
            migration: plan.migration,
            phase: next,
            open: false,
            reason: v.reason,
            lag: summarize(v.readings),
          });
          ctx.log.warn(
            { migration: plan.migration, phase: next, waitedMs, reason: v.reason },
            'waiting for replica lag before the phase starts',
          );
        },
      }).finally(() => probe.close());
      ctx.emit({
        type: 'gate',
        migration: plan.migration,
        phase: next,
        open: verdict.open,
        reason: verdict.reason,
        lag: summarize(verdict.readings),
      });
      if (!verdict.open) {
        await ctx.state.audit(pool, {
          migration: plan.migration,
          action: 'advance',
          phase: next,
          outcome: 'waiting',
          checksum: plan.checksum,
          detail: { reason: verdict.reason },
        });
        return { kind: 'waiting', migration: plan.migration, ran, phase: next, reason: verdict.reason };
      }
    }
    await runPhase(ctx, plan, next);
    ran.push(next);
    phase = next;
  }
  return { kind: 'advanced', migration: plan.migration, ran, phase, complete: phase === 'contract' };
}

async function runPhase(ctx: RunnerContext, plan: Plan, phase: Phase): Promise<void> {
  const pool = ctx.conn.pool;
  const started = Date.now();
  await ctx.state.setPhase(pool, plan.migration, { current_phase: phase, last_error: null });
  await ctx.state.audit(pool, {
    migration: plan.migration,
    action: 'advance',
    phase,
    outcome: 'started',
    checksum: plan.checksum,
  });
  ctx.emit({ type: 'phase-start', migration: plan.migration, phase });
  const done = new Set(
    (await ctx.state.steps(pool, plan.migration)).filter((s) => s.status === 'done').map((s) => s.step_id),
  );
  try {
    for (const step of plan.steps.filter((s) => s.phase === phase)) {
      if (done.has(step.id)) {
        ctx.emit({ type: 'step-skip', migration: plan.migration, stepId: step.id, reason: 'already done' });
        continue;
      }
      if (ctx.signal.aborted) throw new InterruptedError(`before step ${step.id}`);
      const stepStarted = Date.now();
      ctx.emit({ type: 'step-start', migration: plan.migration, stepId: step.id, description: step.description });
      ctx.log.debug({ migration: plan.migration, step: step.id }, step.description);
      await executeStep(step, plan.migration, ctx);
      ctx.emit({
        type: 'step-done',
        migration: plan.migration,
        stepId: step.id,
        ms: Date.now() - stepStarted,
        attempts: 1,
      });
    }
  } catch (err) {
    const outcome = ctx.signal.aborted ? 'interrupted' : 'failed';
    await ctx.state.setPhase(pool, plan.migration, { last_error: errorMessage(err) }).catch(() => undefined);
    await ctx.state
      .audit(pool, {
        migration: plan.migration,
        action: 'advance',
        phase,
        outcome,
        checksum: plan.checksum,
        detail: { error: errorMessage(err), kind: err instanceof ZdmError ? err.kind : 'unexpected' },
      })
      .catch(() => undefined);
    throw err;
  }
  const complete = phase === 'contract';
  await ctx.state.setPhase(pool, plan.migration, {
    phase,
    current_phase: null,
    ...(complete ? { status: 'complete' as const } : {}),
  });
  await ctx.state.audit(pool, {
    migration: plan.migration,
    action: 'advance',
    phase,
    outcome: 'succeeded',
    checksum: plan.checksum,
    detail: { ms: Date.now() - started },
  });
  ctx.emit({ type: 'phase-done', migration: plan.migration, phase, ms: Date.now() - started });
  ctx.log.debug(
    {
      migration: plan.migration,
      phase,
      ms: Date.now() - started,
      tables: plan.tables.map((t) => displayName(t.table)),
    },
    complete ? 'migration complete' : `phase ${phase} done`,
  );
}

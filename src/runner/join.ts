import type { BackfillStep } from '../plan/types.js';
import type { RunnerContext } from '../exec/context.js';
import { joinBackfillStep } from './executor.js';

export type JoinResult =
  { kind: 'joined'; migration: string; steps: string[] } | { kind: 'nothing-to-join'; reason: string };

/**
 * `zdm advance --join`: helps the parallel backfill another runner is running (on this machine or
 * another) by claiming its chunks, under the same gates, until none is left. It takes no runner
 * lock (the runner holds it) and never starts, finishes or moves a phase.
 */
export async function joinBackfill(ctx: RunnerContext): Promise<JoinResult> {
  const pool = ctx.conn.pool;
  const active = (await ctx.state.activeMigrations(pool))[0];
  if (!active) return { kind: 'nothing-to-join', reason: 'no active migration' };
  if (active.current_phase !== 'backfill')
    return { kind: 'nothing-to-join', reason: `${active.name} is not in its backfill phase` };
  const steps = active.plan.steps.filter((s): s is BackfillStep => s.kind === 'backfill' && s.phase === 'backfill');
  const joined: string[] = [];
  for (const step of steps) {
    const row = await ctx.state.backfill(pool, active.name, step.id);
    if (!row || row.done) continue;
    // Refused (StateError) for a backfill that runs in one worker: it has no chunks to claim.
    await joinBackfillStep(step, active.name, ctx);
    joined.push(step.id);
  }
  return joined.length
    ? { kind: 'joined', migration: active.name, steps: joined }
    : { kind: 'nothing-to-join', reason: `no backfill of ${active.name} is running` };
}

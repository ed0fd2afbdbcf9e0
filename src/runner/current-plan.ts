import type { RunnerContext } from '../exec/context.js';
import { stateExists } from '../exec/state-schema.js';
import type { StepStatus } from '../exec/state-store.js';
import { loadMigrationFile } from '../migration/load.js';
import type { Plan } from '../plan/types.js';
import { activeView, migrationViews, planFile } from './session.js';

/** What `zdm plan` shows; `nothing-pending` is an outcome, not an error. */
export type PlanResult =
  | { kind: 'nothing-pending' }
  /** The active migration's plan as recorded at activation, with the status of each step run so far. */
  | { kind: 'recorded'; plan: Plan; stepStatus: Map<string, StepStatus> }
  /** A fresh plan against the database as it is now (a pending migration, or a file not yet active). */
  | { kind: 'planned'; plan: Plan };

export interface PlanOptions {
  /** Plan this file (an absolute path) instead of the active or next pending migration. */
  file?: string;
}

/**
 * The plan of the active migration as recorded (a file that is active and unchanged shows its
 * recorded plan too), else a fresh plan of the next pending migration or of `options.file`.
 * Read-only: never creates the state schema, never takes the runner lock.
 */
export async function currentPlan(ctx: RunnerContext, options: PlanOptions = {}): Promise<PlanResult> {
  const pool = ctx.conn.pool;
  const hasState = await stateExists(pool, ctx.stateSchema);
  if (options.file) {
    const migration = await loadMigrationFile(options.file);
    const row = hasState ? await ctx.state.migration(pool, migration.name) : undefined;
    if (row?.status === 'active' && row.checksum === migration.checksum) return recorded(ctx, row.plan);
    return { kind: 'planned', plan: await planFile(pool, migration) };
  }
  if (!hasState) {
    const first = (await ctx.loadMigrations())[0];
    return first ? { kind: 'planned', plan: await planFile(pool, first) } : { kind: 'nothing-pending' };
  }
  const views = await migrationViews(ctx, pool);
  // An active migration runs its recorded plan, even when its file changed or is missing.
  const active = activeView(views, { allowDrift: true, allowMissingFile: true });
  if (active?.row) return recorded(ctx, active.row.plan);
  const next = views.find((v) => v.file && v.row?.status !== 'complete');
  return next?.file ? { kind: 'planned', plan: await planFile(pool, next.file) } : { kind: 'nothing-pending' };
}

async function recorded(ctx: RunnerContext, plan: Plan): Promise<PlanResult> {
  const steps = await ctx.state.steps(ctx.conn.pool, plan.migration);
  return { kind: 'recorded', plan, stepStatus: new Map(steps.map((s) => [s.step_id, s.status])) };
}

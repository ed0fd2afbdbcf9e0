import { NoActiveMigrationError, UsageError } from '../errors.js';
import type { RunnerContext } from '../exec/context.js';
import type { Control } from '../exec/state-store.js';
import { activeView, migrationViews } from './session.js';

export interface PauseResult {
  migration: string;
  paused: boolean;
  /** The reason given to pause (shown by status and the progress line); null on resume. */
  reason: string | null;
}

export interface TuneResult {
  migration: string;
  /** The overrides now in force (earlier tunes merged with this one). */
  control: Control;
}

/**
 * Pauses the active migration's backfill: a flag in its state row that a running backfill, on any
 * machine, reads before its next batch. Takes no runner lock (the runner holds it). Audited.
 */
export function pause(ctx: RunnerContext, options: { reason?: string } = {}): Promise<PauseResult> {
  return setPaused(ctx, true, options.reason ?? null);
}

/** Clears the pause flag; the backfill goes on with its next batch. Audited. */
export function resume(ctx: RunnerContext): Promise<PauseResult> {
  return setPaused(ctx, false, null);
}

async function setPaused(ctx: RunnerContext, paused: boolean, reason: string | null): Promise<PauseResult> {
  const pool = ctx.conn.pool;
  const migration = await activeName(ctx);
  await ctx.state.setPaused(pool, migration, paused, reason);
  await ctx.state.audit(pool, {
    migration,
    action: paused ? 'pause' : 'resume',
    outcome: 'succeeded',
    detail: paused ? { reason } : null,
  });
  return { migration, paused, reason };
}

/**
 * Runtime overrides of the active migration's backfill (batch size, rate cap; a null cap removes
 * it), merged into earlier ones and read by a running backfill every second. Audited.
 */
export async function tune(ctx: RunnerContext, change: Control): Promise<TuneResult> {
  checkControl(change);
  const pool = ctx.conn.pool;
  const migration = await activeName(ctx);
  const current = (await ctx.state.migration(pool, migration))?.control ?? {};
  const control = { ...current, ...change };
  await ctx.state.setControl(pool, migration, control);
  await ctx.state.audit(pool, { migration, action: 'tune', outcome: 'succeeded', detail: { ...change } });
  return { migration, control };
}

/** The active migration among the directory's files; a changed file (drift) may still be paused or tuned. */
async function activeName(ctx: RunnerContext): Promise<string> {
  const active = activeView(await migrationViews(ctx, ctx.conn.pool), { allowDrift: true, allowMissingFile: true });
  if (!active) throw new NoActiveMigrationError('no active migration');
  return active.name;
}

function checkControl(change: Control): void {
  const positive = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n > 0;
  if (change.batchSize === undefined && change.maxRowsPerSecond === undefined)
    throw new UsageError('tune: give batchSize and/or maxRowsPerSecond');
  if (change.batchSize !== undefined && !positive(change.batchSize))
    throw new UsageError(`tune: batchSize must be a positive whole number, got ${String(change.batchSize)}`);
  if (change.maxRowsPerSecond != null && !positive(change.maxRowsPerSecond))
    throw new UsageError(
      `tune: maxRowsPerSecond must be a positive whole number or null (no cap), got ${String(change.maxRowsPerSecond)}`,
    );
}

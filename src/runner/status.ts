import { quoteIdent } from '../db/quote.js';
import type { LockHolder } from '../errors.js';
import { PHASES, phaseIndex, type Phase } from '../plan/types.js';
import type { RunnerContext } from '../exec/context.js';
import { lockHolder, lockKey } from './lock.js';
import { migrationViews } from './session.js';
import type { BackfillRow } from '../exec/state-store.js';
import type { LiveProgress } from '../exec/events.js';
import { checkStateAccess } from '../exec/state-access.js';

export interface BackfillStatus {
  stepId: string;
  table: string;
  rowsScanned: number;
  rowsUpdated: number;
  totalEstimate: number | null;
  percent: number | null;
  batches: number;
  batchSize: number;
  rowsPerSecond: number | null;
  done: boolean;
  updatedAt: string;
  /**
   * What the running backfill's progress bar shows (rate over the last seconds, ETA, lag, batch
   * size, pause reason and for how long), as its runner last wrote it, `ageSeconds` ago; null when
   * done or never written. Older than LIVE_STALE_SECONDS (api/zdm.ts): no runner is working on it.
   */
  live: (LiveProgress & { ageSeconds: number }) | null;
}

export interface MigrationStatus {
  name: string;
  file: string | null;
  status: 'pending' | 'active' | 'complete' | 'rolled_back';
  /** Last completed phase. */
  phase: Phase | null;
  /** Phase in progress (or interrupted). */
  currentPhase: Phase | null;
  nextPhase: Phase | null;
  drift: boolean;
  missingFile: boolean;
  paused: boolean;
  pauseReason: string | null;
  lastError: string | null;
  steps: { total: number; done: number; failed: number; running: number };
  backfills: BackfillStatus[];
  startedAt: string | null;
  finishedAt: string | null;
}

export interface StatusReport {
  stateSchema: string;
  lockHolder: LockHolder | null;
  migrations: MigrationStatus[];
}

/** Read-only: never creates the state schema, never takes the runner lock. */
export async function status(ctx: RunnerContext): Promise<StatusReport> {
  const pool = ctx.conn.pool;
  await checkStateAccess(pool, ctx.stateSchema, 'read');
  const { rows } = await pool.query<{ ok: boolean; now: Date }>(
    `SELECT to_regclass($1) IS NOT NULL AS ok, now() AS now`,
    [`${quoteIdent(ctx.stateSchema)}.migrations`],
  );
  const hasState = rows[0]?.ok ?? false;
  // The database's clock, which live progress reports are stamped with.
  const dbNow = new Date(rows[0]!.now).getTime();
  const views = hasState ? await migrationViews(ctx, pool) : await migrationViewsWithoutState(ctx);
  const migrations: MigrationStatus[] = [];
  for (const v of views) {
    const row = v.row;
    const stepRows = row && row.status === 'active' ? await ctx.state.steps(pool, v.name) : [];
    const backfills = row && row.status === 'active' ? await ctx.state.backfills(pool, v.name) : [];
    const statusName = row?.status ?? 'pending';
    const phase = statusName === 'active' || statusName === 'complete' ? (row?.phase ?? null) : null;
    migrations.push({
      name: v.name,
      file: v.file?.file ?? row?.file ?? null,
      status: statusName,
      phase,
      currentPhase: row?.status === 'active' ? row.current_phase : null,
      nextPhase: statusName === 'complete' ? null : (PHASES[phase === null ? 0 : phaseIndex(phase) + 1] ?? null),
      drift: v.drift,
      missingFile: !v.file,
      paused: row?.paused ?? false,
      pauseReason: row?.pause_reason ?? null,
      lastError: row?.status === 'active' ? row.last_error : null,
      steps: {
        total: row?.status === 'active' ? row.plan.steps.length : 0,
        done: stepRows.filter((s) => s.status === 'done').length,
        failed: stepRows.filter((s) => s.status === 'failed').length,
        running: stepRows.filter((s) => s.status === 'running').length,
      },
      backfills: backfills.map((b) => backfillStatus(b, dbNow)),
      startedAt: row?.started_at ? new Date(row.started_at).toISOString() : null,
      finishedAt: row?.finished_at ? new Date(row.finished_at).toISOString() : null,
    });
  }
  const holder = hasState ? await lockHolder(pool, lockKey(ctx.stateSchema)) : undefined;
  return { stateSchema: ctx.stateSchema, lockHolder: holder ?? null, migrations };
}

async function migrationViewsWithoutState(ctx: RunnerContext) {
  return (await ctx.loadMigrations()).map((file) => ({
    file,
    row: undefined,
    name: file.name,
    drift: false,
  }));
}

function backfillStatus(b: BackfillRow, dbNow: number): BackfillStatus {
  const total = b.total_estimate === null ? null : Math.max(b.total_estimate, b.rows_scanned);
  const seconds = (new Date(b.updated_at).getTime() - new Date(b.started_at).getTime()) / 1000;
  return {
    stepId: b.step_id,
    table: b.table_name,
    rowsScanned: b.rows_scanned,
    rowsUpdated: b.rows_updated,
    totalEstimate: total,
    percent: b.done ? 100 : total ? Math.min(100, (100 * b.rows_scanned) / total) : null,
    batches: b.batches,
    batchSize: b.batch_size,
    rowsPerSecond: seconds > 0 ? b.rows_scanned / seconds : null,
    done: b.done,
    updatedAt: new Date(b.updated_at).toISOString(),
    live:
      b.live && !b.done ? { ...b.live, ageSeconds: Math.max(0, (dbNow - new Date(b.live.at).getTime()) / 1000) } : null,
  };
}

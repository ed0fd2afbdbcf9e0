import path from 'node:path';
import { quoteIdent } from '../../db/quote.js';
import { loadMigrationFile, loadMigrations } from '../../migration/load.js';
import { renderPlan, type PlanFormat } from '../../plan/render.js';
import type { Plan } from '../../plan/types.js';
import type { RunnerContext } from '../../exec/context.js';
import { migrationViews, planFile } from '../../runner/session.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { withRunner, type RunnerOptions } from '../runtime.js';

/** `zdm plan [file]`: the recorded plan of an active migration, else a fresh plan. */
export async function runPlan(
  io: CliIO,
  file: string | undefined,
  opts: RunnerOptions & { format: PlanFormat },
): Promise<number> {
  return withRunner(io, 'plan', opts, async (runner, cli) => {
    const found = await findPlan(runner, file ? path.resolve(io.cwd, file) : undefined);
    if (!found) {
      io.stdout(
        opts.format === 'json'
          ? `${JSON.stringify({ migration: null, message: 'nothing pending' })}\n`
          : 'nothing to plan: every migration is complete\n',
      );
      return ExitCode.ok;
    }
    io.stdout(
      renderPlan(found.plan, opts.format, {
        stepStatus: found.status,
        cwd: io.cwd,
        lockTimeoutMs: cli.config.lockTimeoutMs,
      }),
    );
    return ExitCode.ok;
  });
}

/** The recorded plan of an active migration (with step status), or a fresh plan of the file. */
async function findPlan(
  runner: RunnerContext,
  file: string | undefined,
): Promise<{ plan: Plan; status?: Map<string, string> } | undefined> {
  const pool = runner.conn.pool;
  const { rows } = await pool.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
    `${quoteIdent(runner.stateSchema)}.migrations`,
  ]);
  const hasState = rows[0]?.ok ?? false;
  if (file) {
    const migration = await loadMigrationFile(file);
    const row = hasState ? await runner.state.migration(pool, migration.name) : undefined;
    if (row?.status === 'active' && row.checksum === migration.checksum) return recorded(runner, row.plan);
    return { plan: await planFile(pool, migration) };
  }
  if (!hasState) {
    const first = (await loadMigrations(runner.migrationsDir))[0];
    return first ? { plan: await planFile(pool, first) } : undefined;
  }
  const views = await migrationViews(runner, pool);
  const active = views.find((v) => v.row?.status === 'active' && v.file);
  if (active?.row) return recorded(runner, active.row.plan);
  const next = views.find((v) => v.file && v.row?.status !== 'complete');
  return next?.file ? { plan: await planFile(pool, next.file) } : undefined;
}

async function recorded(runner: RunnerContext, plan: Plan) {
  const steps = await runner.state.steps(runner.conn.pool, plan.migration);
  return { plan, status: new Map(steps.map((s) => [s.step_id, s.status])) };
}

import { DEFAULT_REHEARSE_ROWS } from '../../defaults.js';
import { UsageError } from '../../errors.js';
import { renderPlan, type PlanFormat } from '../../plan/render.js';
import { renderRehearsal } from '../../rehearse/render.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { withZdm, type RunnerOptions } from '../runtime.js';

/** `zdm plan [file]`: the recorded plan of an active migration, else a fresh plan. */
export async function runPlan(
  io: CliIO,
  file: string | undefined,
  opts: RunnerOptions & { format: PlanFormat },
): Promise<number> {
  return withZdm(io, 'plan', opts, async (zdm, cli) => {
    const found = await zdm.plan(file ? { file } : {});
    if (found.kind === 'nothing-pending') {
      io.stdout(
        opts.format === 'json'
          ? `${JSON.stringify({ migration: null, message: 'nothing pending' })}\n`
          : 'nothing to plan: every migration is complete\n',
      );
      return ExitCode.ok;
    }
    io.stdout(
      renderPlan(found.plan, opts.format, {
        ...(found.kind === 'recorded' ? { stepStatus: found.stepStatus } : {}),
        cwd: io.cwd,
        settings: cli.config,
      }),
    );
    return ExitCode.ok;
  });
}

/**
 * `zdm plan --rehearse [file]`: the rehearsal report; exit 3 when a step failed or an observation
 * contradicts the plan.
 */
export async function runRehearse(
  io: CliIO,
  file: string | undefined,
  opts: RunnerOptions & { format: PlanFormat; rehearseRows?: string; rehearseBinDir?: string },
): Promise<number> {
  const rows = opts.rehearseRows === undefined ? DEFAULT_REHEARSE_ROWS : Number(opts.rehearseRows);
  if (!Number.isInteger(rows) || rows < 1)
    throw new UsageError(`--rehearse-rows must be a whole number of rows, at least 1 (got ${opts.rehearseRows})`);
  return withZdm(io, 'plan', opts, async (zdm) => {
    const report = await zdm.rehearse({
      ...(file ? { file } : {}),
      rows,
      ...(opts.rehearseBinDir ? { binDir: opts.rehearseBinDir } : {}),
    });
    if ('kind' in report) {
      io.stdout(
        opts.format === 'json'
          ? `${JSON.stringify({ migration: null, message: 'nothing pending' })}\n`
          : 'nothing to rehearse: every migration is complete\n',
      );
      return ExitCode.ok;
    }
    io.stdout(opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderRehearsal(report));
    return report.ok ? ExitCode.ok : ExitCode.blocked;
  });
}

import { renderPlan, type PlanFormat } from '../../plan/render.js';
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

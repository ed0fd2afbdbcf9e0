import { StateError } from '../../errors.js';
import type { RunnerContext } from '../../runner/context.js';
import { activeView, migrationViews } from '../../runner/session.js';
import type { CliIO } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { withRunner, type RunnerOptions } from '../runtime.js';

/** `zdm pause` / `zdm resume`: set the flag a running backfill (on any machine) reads before each batch. */
export function runPause(io: CliIO, opts: RunnerOptions & { reason?: string }, paused: boolean): Promise<number> {
  return withRunner(io, paused ? 'pause' : 'resume', opts, async (runner) => {
    const name = await activeName(runner);
    await runner.state.setPaused(runner.conn.pool, name, paused, paused ? (opts.reason ?? null) : null);
    await runner.state.audit(runner.conn.pool, { migration: name, action: paused ? 'pause' : 'resume', outcome: 'succeeded', detail: paused ? { reason: opts.reason ?? null } : null });
    io.stdout(`${name}: ${paused ? 'paused' : 'resumed'}\n`);
    return ExitCode.ok;
  });
}

async function activeName(runner: RunnerContext): Promise<string> {
  const active = activeView(await migrationViews(runner, runner.conn.pool), { allowDrift: true });
  if (!active) throw new StateError('no active migration');
  return active.name;
}

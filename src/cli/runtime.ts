import { Zdm } from '../api/zdm.js';
import type { FlagValues } from '../config/resolve.js';
import { LockHeldError, StateError } from '../errors.js';
import type { LockedResult, NothingActiveResult, RunnerEvent } from '../api/zdm.js';
import { commandContext, requireDatabaseUrl, type CliIO, type CommandContext } from './context.js';

export type RunnerOptions = FlagValues & { logLevel?: string; json?: boolean };

/**
 * The library API (src/api) built from the command's flags, env and config file, for `fn`; always
 * closed after it. Commands call only the Zdm's methods.
 */
export async function withZdm<T>(
  io: CliIO,
  command: string,
  opts: RunnerOptions,
  fn: (zdm: Zdm, cli: CommandContext) => Promise<T>,
  emit?: (e: RunnerEvent) => void,
): Promise<T> {
  const cli = commandContext(io, opts);
  requireDatabaseUrl(cli.config);
  const zdm = new Zdm({
    config: cli.config,
    cwd: io.cwd,
    label: command,
    log: cli.log,
    signal: io.signal,
    ...(emit ? { onEvent: emit } : {}),
    ...(io.gatePacing ? { gatePacing: io.gatePacing } : {}),
  });
  try {
    return await fn(zdm, cli);
  } finally {
    await zdm.close();
  }
}

/** The CLI reports a held lock like any error (message on stderr, exit 4); the library returns it. */
export function unlessLocked<T extends { kind: string }>(result: T | LockedResult): T {
  if (result.kind === 'locked') {
    const locked = result as LockedResult;
    throw new LockHeldError(locked.message, locked.holder ?? undefined);
  }
  return result as T;
}

/** No active migration to act on: the CLI reports it as an error (exit 1), as before the library returned it. */
export function unlessNothingActive<T extends { kind: string }>(result: T | NothingActiveResult): T {
  if (result.kind === 'nothing-active') throw new StateError((result as NothingActiveResult).message);
  return result as T;
}

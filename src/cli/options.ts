import type { Command } from 'commander';
import { parseDuration } from '../config/units.js';
import { UsageError } from '../errors.js';
import { addGlobalOptions } from './globals.js';

/*
 * Option helpers for command registration. Registration must stay cheap (every zdm invocation
 * registers every command): the heavy code of a command is imported by its action, in
 * src/cli/actions/, only when that command runs.
 */

/** Options every database command accepts: the same list the program declares for before the command name. */
export function addCommonOptions(cmd: Command): Command {
  return addGlobalOptions(cmd);
}

/** Flags shared by every command that runs steps (advance, rollback). */
export function addSafetyOptions(cmd: Command): Command {
  return cmd
    .option('--lock-timeout <duration>', 'longest wait for a lock before a retry, e.g. 2s (env ZDM_LOCK_TIMEOUT)')
    .option('--lock-retries <n>', 'attempts for a step whose lock wait timed out (env ZDM_LOCK_RETRIES)')
    .option('--lock-wait <duration>', "wait this long for another runner's lock instead of exiting 4", '0s');
}

export function parseFlagDuration(flag: string, value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

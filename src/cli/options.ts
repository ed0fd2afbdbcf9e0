import type { Command } from 'commander';
import { parseDuration } from '../config/units.js';
import { UsageError } from '../errors.js';
import { logLevelOption } from './globals.js';

/*
 * Option helpers for command registration. Registration must stay cheap (every zdm invocation
 * registers every command): the heavy code of a command is imported by its action, in
 * src/cli/actions/, only when that command runs.
 */

/** Options every database command accepts. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--database-url <url>', 'Postgres connection URL (env DATABASE_URL)')
    .option('--migrations-dir <dir>', 'directory of migration files (env ZDM_MIGRATIONS_DIR; default ./migrations)')
    .option('--config <file>', 'config file (env ZDM_CONFIG; default ./zdm.config.json)')
    .option('--state-schema <name>', 'schema holding zdm state (env ZDM_STATE_SCHEMA; default zdm)')
    .addOption(logLevelOption())
    .option('--json', 'machine-readable output: results and errors as JSON on stdout, JSON log lines on stderr');
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

import { Option, type Command } from 'commander';

/** Log levels --log-level and ZDM_LOG_LEVEL accept (pino's). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;

/**
 * Options every command accepts before or after the command name (`zdm --database-url ...
 * status` and `zdm status --database-url ...`): declared on the program, and copied into the
 * command's own options before its action runs when the command line did not give them there.
 */
export function addGlobalOptions(program: Command): Command {
  return program
    .option('--database-url <url>', 'Postgres connection URL (env ZDM_DATABASE_URL, else DATABASE_URL)')
    .option('--migrations-dir <dir>', 'directory of migration files (env ZDM_MIGRATIONS_DIR; default ./migrations)')
    .option('--config <file>', 'config file (env ZDM_CONFIG; default ./zdm.config.json)')
    .option('--state-schema <name>', 'schema holding zdm state (env ZDM_STATE_SCHEMA; default zdm)')
    .addOption(logLevelOption())
    .option('--json', 'machine-readable output: results and errors as JSON on stdout, JSON log lines on stderr');
}

function logLevelOption(): Option {
  return new Option('--log-level <level>', 'log level (env ZDM_LOG_LEVEL)').choices([...LOG_LEVELS]);
}

/** The preAction hook: globals given before the command name reach the command's options. */
export function inheritGlobals(program: Command, action: Command): void {
  for (const [key, value] of Object.entries(program.opts())) {
    if (value === undefined) continue;
    const source = action.getOptionValueSource(key);
    if (source === undefined || source === 'default') action.setOptionValue(key, value);
  }
  // --json asks plan and lint for their JSON format unless --format was given.
  const json = action.getOptionValue('json') === true;
  if (json && action.options.some((o) => o.long === '--format') && action.getOptionValueSource('format') === 'default')
    action.setOptionValue('format', 'json');
}

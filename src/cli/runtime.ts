import type { FlagValues } from '../config/resolve.js';
import { applicationName, checkConnection, connect, currentActor, redactUrl } from '../db/connect.js';
import { createRunnerContext, type RunnerContext } from '../exec/context.js';
import type { RunnerEvent } from '../exec/events.js';
import { commandContext, requireDatabaseUrl, type CliIO, type CommandContext } from './context.js';

export type RunnerOptions = FlagValues & { logLevel?: string; json?: boolean };

/**
 * Builds the runner context for a database command (config, logger, pool, state store), runs `fn`
 * and always closes the connections.
 */
export async function withRunner<T>(
  io: CliIO,
  command: string,
  opts: RunnerOptions,
  fn: (runner: RunnerContext, cli: CommandContext) => Promise<T>,
  emit?: (e: RunnerEvent) => void,
): Promise<T> {
  const cli = commandContext(io, opts);
  const url = requireDatabaseUrl(cli.config);
  const actor = currentActor();
  const conn = connect(url, applicationName(command, actor), { max: Math.max(4, cli.config.workers + 3) });
  try {
    const server = await checkConnection(conn);
    cli.log.debug({ database: redactUrl(url), server: server.serverVersionNum }, 'connected');
    const runner = createRunnerContext(conn, {
      migrationsDir: cli.config.migrationsDir,
      settings: cli.config,
      stateSchema: cli.config.stateSchema,
      actor,
      log: cli.log,
      signal: io.signal,
      ...(emit ? { emit } : {}),
    });
    return await fn(runner, cli);
  } finally {
    await conn.close();
  }
}

import { resolveConfig, type FlagValues, type ResolvedConfig } from '../config/resolve.js';
import type { GatePacing } from '../api/zdm.js';
import { UsageError } from '../errors.js';
import { LOG_LEVELS } from './globals.js';
import { createLogger, type Logger } from './logger.js';

/** What a command needs from the outside world; tests pass their own. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: long-running work stops at the next safe point. */
  signal: AbortSignal;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminal's width, read at each redraw of the progress bar (undefined: 80). */
  stderrColumns?: () => number | undefined;
  /** Phase-gate sampling pace, for tests that run the CLI in-process (the product keeps src/defaults.ts). */
  gatePacing?: Partial<GatePacing>;
}

export interface CommandContext {
  io: CliIO;
  config: ResolvedConfig;
  log: Logger;
}

export function commandContext(io: CliIO, opts: FlagValues & { logLevel?: string; json?: boolean }): CommandContext {
  const config = resolveConfig(opts, io.env, io.cwd);
  const level = opts.logLevel ?? (io.env.ZDM_LOG_LEVEL || 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new UsageError(`ZDM_LOG_LEVEL: "${level}" is not a log level (${LOG_LEVELS.join(', ')})`);
  const log = createLogger({
    level,
    json: Boolean(opts.json) || !io.stderrIsTTY,
  });
  return { io, config, log };
}

export function requireDatabaseUrl(config: ResolvedConfig): string {
  if (!config.databaseUrl)
    throw new UsageError(
      'no database given: pass --database-url, set ZDM_DATABASE_URL or DATABASE_URL, or set "databaseUrl" in zdm.config.json',
    );
  return config.databaseUrl;
}

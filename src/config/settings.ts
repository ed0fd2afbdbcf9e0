/** The settings zdm resolves, and how (without the config file's schema, which needs zod: see file.ts). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  CONFIG_FILE,
  DEFAULT_BATCH_SIZE,
  DEFAULT_GATE_TIMEOUT_MS,
  DEFAULT_LOCK_RETRIES,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_MAX_LAG_BYTES,
  DEFAULT_MAX_LAG_MS,
  DEFAULT_MAX_XACT_AGE_MS,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_STATE_SCHEMA,
  DEFAULT_TARGET_BATCH_MS,
} from '../defaults.js';
import { ConfigError } from '../errors.js';
import type { LintConfig } from '../lint/config.js';
import type { ConfigFile } from './schema.js';
import { databaseUrlProblem } from './database-url.js';
import { parseBytes, parseDuration } from './units.js';

/** Every setting with its value resolved (durations in ms, sizes in bytes). */
export interface ResolvedConfig {
  databaseUrl: string | undefined;
  migrationsDir: string;
  stateSchema: string;
  lockTimeoutMs: number;
  lockRetries: number;
  gateTimeoutMs: number;
  maxLagMs: number;
  maxLagBytes: number;
  replicas: string[];
  batchSize: number;
  targetBatchMs: number;
  maxRowsPerSecond: number | undefined;
  workers: number;
  throttleQuery: string | undefined;
  /** Pause the backfill while a transaction older than this is open (0: never). */
  maxXactAgeMs: number;
  /** An unreachable --replica (or a standby that left pg_stat_replication) is a warning, not a closed gate. */
  allowMissingReplica: boolean;
  /** The WAL-retention check before a backfill warns instead of refusing. */
  allowWalRisk: boolean;
  lint: LintConfig;
  /** The config file that was read, if any. */
  configFile: string | undefined;
}

type Key = Exclude<keyof ResolvedConfig, 'lint' | 'configFile'>;

interface Setting<K extends Key> {
  /** The command-line flag, for messages. */
  flag: string;
  env: string;
  /** A second variable, read when `env` is unset (DATABASE_URL, which the application may share). */
  envFallback?: string;
  /** Config-file key (the same name without the unit suffix). */
  file: keyof ConfigFile;
  parse: (raw: Raw, source: string) => ResolvedConfig[K];
  fallback: ResolvedConfig[K];
}

/** A setting's raw value: a flag (string, repeated string[], or true for a switch), env text or a config-file value. */
type Raw = string | number | boolean | string[];

const str = (raw: Raw) => String(raw);
const int = (min: number) => (raw: Raw, source: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(`${source}: "${String(raw)}" must be a whole number >= ${min}`);
  return n;
};
const positive = (raw: Raw, source: string) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${source}: "${String(raw)}" must be a positive number`);
  return n;
};
const wrap =
  <T>(fn: (v: string | number) => T) =>
  (raw: Raw, source: string): T => {
    try {
      return fn(Array.isArray(raw) ? raw.join(',') : typeof raw === 'boolean' ? String(raw) : raw);
    } catch (err) {
      throw new ConfigError(`${source}: ${(err as Error).message}`);
    }
  };
/** A lock timeout of 0 would be Postgres' "no limit": zdm's DDL could queue, and stall the application, unbounded. */
const lockTimeout = (raw: Raw, source: string) => {
  const ms = wrap(parseDuration)(raw, source);
  if (ms < 1)
    throw new ConfigError(
      `${source}: "${String(raw)}" must be at least 1ms: a lock timeout of 0 means no limit in ` +
        `Postgres, and the application's queries would queue behind zdm's DDL without bound`,
    );
  return ms;
};
/** Checked before connecting; the message never repeats the URL (it can hold a password). */
const url = (raw: Raw, source: string) => {
  const text = String(raw);
  const problem = databaseUrlProblem(text);
  if (problem) throw new ConfigError(`${source}: the database URL ${problem}`);
  return text;
};
const bool = (raw: Raw, source: string) => {
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new ConfigError(`${source}: "${String(raw)}" must be true or false`);
};
const list = (raw: Raw) =>
  Array.isArray(raw)
    ? raw
    : String(raw)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

const SETTINGS: { [K in Key]: Setting<K> } = {
  // ZDM_DATABASE_URL first: an application's DATABASE_URL may point at a transaction pooler, where
  // zdm's session settings and locks would not hold; zdm needs a direct connection.
  databaseUrl: {
    flag: 'database-url',
    env: 'ZDM_DATABASE_URL',
    envFallback: 'DATABASE_URL',
    file: 'databaseUrl',
    parse: url,
    fallback: undefined,
  },
  migrationsDir: {
    flag: 'migrations-dir',
    env: 'ZDM_MIGRATIONS_DIR',
    file: 'migrationsDir',
    parse: str,
    fallback: DEFAULT_MIGRATIONS_DIR,
  },
  stateSchema: {
    flag: 'state-schema',
    env: 'ZDM_STATE_SCHEMA',
    file: 'stateSchema',
    parse: str,
    fallback: DEFAULT_STATE_SCHEMA,
  },
  lockTimeoutMs: {
    flag: 'lock-timeout',
    env: 'ZDM_LOCK_TIMEOUT',
    file: 'lockTimeout',
    parse: lockTimeout,
    fallback: DEFAULT_LOCK_TIMEOUT_MS,
  },
  lockRetries: {
    flag: 'lock-retries',
    env: 'ZDM_LOCK_RETRIES',
    file: 'lockRetries',
    parse: int(0),
    fallback: DEFAULT_LOCK_RETRIES,
  },
  gateTimeoutMs: {
    flag: 'gate-timeout',
    env: 'ZDM_GATE_TIMEOUT',
    file: 'gateTimeout',
    parse: wrap(parseDuration),
    fallback: DEFAULT_GATE_TIMEOUT_MS,
  },
  maxLagMs: {
    flag: 'max-lag',
    env: 'ZDM_MAX_LAG',
    file: 'maxLag',
    parse: wrap(parseDuration),
    fallback: DEFAULT_MAX_LAG_MS,
  },
  maxLagBytes: {
    flag: 'max-lag-bytes',
    env: 'ZDM_MAX_LAG_BYTES',
    file: 'maxLagBytes',
    parse: wrap(parseBytes),
    fallback: DEFAULT_MAX_LAG_BYTES,
  },
  replicas: {
    flag: 'replica',
    env: 'ZDM_REPLICAS',
    file: 'replicas',
    parse: (raw, source) => list(raw).map((r) => url(r, source)),
    fallback: [],
  },
  batchSize: {
    flag: 'batch-size',
    env: 'ZDM_BATCH_SIZE',
    file: 'batchSize',
    parse: int(1),
    fallback: DEFAULT_BATCH_SIZE,
  },
  targetBatchMs: {
    flag: 'target-batch-ms',
    env: 'ZDM_TARGET_BATCH_MS',
    file: 'targetBatchMs',
    parse: int(1),
    fallback: DEFAULT_TARGET_BATCH_MS,
  },
  maxRowsPerSecond: {
    flag: 'max-rows-per-second',
    env: 'ZDM_MAX_ROWS_PER_SECOND',
    file: 'maxRowsPerSecond',
    parse: positive,
    fallback: undefined,
  },
  workers: { flag: 'workers', env: 'ZDM_WORKERS', file: 'workers', parse: int(1), fallback: 1 },
  throttleQuery: {
    flag: 'throttle-query',
    env: 'ZDM_THROTTLE_QUERY',
    file: 'throttleQuery',
    parse: str,
    fallback: undefined,
  },
  maxXactAgeMs: {
    flag: 'max-xact-age',
    env: 'ZDM_MAX_XACT_AGE',
    file: 'maxXactAge',
    parse: wrap(parseDuration),
    fallback: DEFAULT_MAX_XACT_AGE_MS,
  },
  allowMissingReplica: {
    flag: 'allow-missing-replica',
    env: 'ZDM_ALLOW_MISSING_REPLICA',
    file: 'allowMissingReplica',
    parse: bool,
    fallback: false,
  },
  allowWalRisk: {
    flag: 'allow-wal-risk',
    env: 'ZDM_ALLOW_WAL_RISK',
    file: 'allowWalRisk',
    parse: bool,
    fallback: false,
  },
};

/**
 * Flag values as commander hands them over, keyed by commander's attribute names (`--lock-timeout`
 * arrives as `lockTimeout`; repeatable flags as string[]).
 */
export type FlagValues = { [flag: string]: unknown; config?: string };

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The config file to read: --config, else ZDM_CONFIG (both must exist), else ./zdm.config.json if present. */
export function configFileOf(
  flags: FlagValues,
  env: NodeJS.ProcessEnv,
  cwd: string,
): { file: string; required: boolean } {
  const configPath = flags.config ?? env.ZDM_CONFIG;
  return {
    file: configPath ? path.resolve(cwd, configPath) : path.join(cwd, CONFIG_FILE),
    required: Boolean(configPath),
  };
}

/** Every setting from flag > environment > the (validated) config file > default. */
export function applySettings(
  file: ConfigFile,
  fileName: string | undefined,
  flags: FlagValues,
  env: NodeJS.ProcessEnv,
  cwd: string,
): ResolvedConfig {
  const resolved = { lint: file.lint ?? {}, configFile: fileName } as ResolvedConfig;
  for (const key of Object.keys(SETTINGS) as Key[]) {
    const setting = SETTINGS[key] as Setting<Key>;
    const flag = flags[camel(setting.flag)] as string | string[] | number | boolean | undefined;
    const envName = [setting.env, setting.envFallback].find((name) => name && env[name]);
    const fileValue = file[setting.file] as Raw | undefined;
    let value: ResolvedConfig[Key];
    if (flag !== undefined && !(Array.isArray(flag) && flag.length === 0))
      value = setting.parse(flag, `--${setting.flag}`);
    else if (envName) value = setting.parse(env[envName]!, envName);
    else if (fileValue !== undefined) value = setting.parse(fileValue, `${fileName}: ${String(setting.file)}`);
    else value = setting.fallback;
    (resolved as unknown as Record<string, unknown>)[key] = value;
  }
  if (resolved.migrationsDir) resolved.migrationsDir = path.resolve(cwd, resolved.migrationsDir);
  return resolved;
}

/**
 * resolveConfig (src/config/resolve.ts) for a command that starts often and rarely has a config
 * file (`zdm lint`): the file's schema, and zod with it (~40 ms of start-up), is loaded only when
 * there is a file to validate. Same result, same errors.
 */
export async function resolveConfigAsync(
  flags: FlagValues,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ResolvedConfig> {
  const { file, required } = configFileOf(flags, env, cwd);
  if (!required && !existsSync(file)) return applySettings({}, undefined, flags, env, cwd);
  const { readConfigFile } = await import('./file.js');
  const read = readConfigFile(file, required);
  return applySettings(read.file, read.fileName, flags, env, cwd);
}

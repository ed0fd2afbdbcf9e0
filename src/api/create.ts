import type pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConfigFileSchema, type ConfigFile } from '../config/schema.js';
import { applySettings, type ResolvedConfig } from '../config/settings.js';
import { ConfigError } from '../errors.js';
import type { RunnerEvent } from '../exec/events.js';
import type { MigrationSpec } from '../migration/schema.js';
import { Zdm } from './zdm.js';

/**
 * Settings: exactly the keys of zdm.config.json (durations "2s"/seconds, sizes "64MB"/bytes),
 * validated by its schema.
 */
export type ZdmSettings = Omit<ConfigFile, '$schema'>;

export interface ZdmOptions extends ZdmSettings {
  /** A pg Pool you own (instead of databaseUrl); close() leaves it open. */
  pool?: pg.Pool;
  /**
   * Migrations as objects, in order (instead of migrationsDir): `{ name: '0001_rename', migration:
   * defineMigration(...) }`.
   */
  migrations?: readonly { name: string; migration: MigrationSpec }[];
  /** Called with every runner event (phases, steps, gates, backfill progress); see also zdm.events(). */
  onEvent?: (event: RunnerEvent) => void;
  /** A pino logger for zdm's log lines (default: silent). */
  logger?: Logger;
  /** Aborting it stops long work at the next safe point (InterruptedError; the state stays consistent). */
  signal?: AbortSignal;
  /** Base of a relative migrationsDir and lint paths (default process.cwd()). */
  cwd?: string;
  /**
   * Unqualified names in the migrations resolve in this schema (zdm's connections set search_path
   * to it), so one migration applies to each tenant schema; keep each schema's state apart with its
   * own stateSchema. Not with `pool` (set search_path on your pool instead).
   */
  schema?: string;
  /** Shown in application_name as `zdm <label> user@host:pid` (default "library"). */
  label?: string;
}

const SettingsSchema = ConfigFileSchema.omit({ $schema: true });
const MigrationsSchema = z.array(z.object({ name: z.string().regex(/^[^/\\]+$/), migration: z.unknown() }).strict());
const RUNTIME_KEYS = ['pool', 'migrations', 'onEvent', 'logger', 'signal', 'cwd', 'label', 'schema'] as const;

/**
 * The library's entry point: validates the settings with zdm.config.json's schema (a ConfigError
 * names each bad key) and returns a Zdm. It connects on the first call that needs the database.
 */
export function createZdm(options: ZdmOptions): Zdm {
  const cwd = options.cwd ?? process.cwd();
  const config = resolveSettings('createZdm', options, RUNTIME_KEYS, cwd);
  if (options.pool && options.databaseUrl) throw new ConfigError('createZdm: give databaseUrl or pool, not both');
  if (options.pool && options.schema)
    throw new ConfigError('createZdm: schema is not for a given pool: set its search_path');
  if (options.migrations && options.migrationsDir)
    throw new ConfigError('createZdm: give migrationsDir or migrations, not both');
  return new Zdm({
    config,
    cwd,
    label: options.label ?? 'library',
    ...(options.pool ? { pool: options.pool } : {}),
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.migrations ? { migrations: objectMigrations(options.migrations) } : {}),
    ...(options.logger ? { log: options.logger } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

/**
 * The settings among `options` (every key but `runtimeKeys`), validated by zdm.config.json's schema
 * (a ConfigError names each bad key, prefixed with `who`) and resolved like the config file's.
 */
export function resolveSettings(
  who: string,
  options: object,
  runtimeKeys: readonly string[],
  cwd: string,
): ResolvedConfig {
  const settings: Record<string, unknown> = { ...options };
  for (const key of runtimeKeys) delete settings[key];
  const parsed = SettingsSchema.safeParse(settings);
  if (!parsed.success) throw new ConfigError(issues(parsed.error, undefined, who));
  return applySettings(parsed.data, who, {}, {}, cwd);
}

/** Names checked here; each migration is validated like a file when first loaded (ValidationError). */
function objectMigrations(list: ZdmOptions['migrations'] & object): ZdmOptions['migrations'] & object {
  const parsed = MigrationsSchema.safeParse(list);
  if (!parsed.success) throw new ConfigError(issues(parsed.error, 'migrations'));
  const names = new Set<string>();
  for (const m of list) {
    if (names.has(m.name)) throw new ConfigError(`createZdm: migrations: "${m.name}" is given twice`);
    names.add(m.name);
  }
  return list;
}

function issues(error: z.ZodError, prefix?: string, who = 'createZdm'): string {
  return error.issues
    .map((i) => `${who}: ${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(options)'}: ${i.message}`)
    .join('\n');
}

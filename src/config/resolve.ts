import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { ConfigFileSchema, type ConfigFile } from './schema.js';
import { applySettings, configFileOf, type FlagValues, type ResolvedConfig } from './settings.js';

export type { FlagValues, ResolvedConfig } from './settings.js';

/**
 * Resolves every setting: flag > environment > zdm.config.json > default. The core never reads
 * process.env; the CLI passes it in here.
 */
export function resolveConfig(flags: FlagValues, env: NodeJS.ProcessEnv, cwd: string): ResolvedConfig {
  const { file: path, required } = configFileOf(flags, env, cwd);
  const { file, fileName } = readConfigFile(path, required);
  return applySettings(file, fileName, flags, env, cwd);
}

function readConfigFile(file: string, required: boolean): { file: ConfigFile; fileName: string | undefined } {
  if (!existsSync(file)) {
    if (required) throw new ConfigError(`config file ${file} does not exist`);
    return { file: {}, fileName: undefined };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(issues.join('\n'));
  }
  return { file: parsed.data, fileName: file };
}

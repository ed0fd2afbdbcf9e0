import { readConfigFile } from './file.js';
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

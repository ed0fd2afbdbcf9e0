import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { ConfigFileSchema, type ConfigFile } from './schema.js';

/** Reads and validates zdm.config.json (zod: loaded only by the modules that import this one). */
export function readConfigFile(file: string, required: boolean): { file: ConfigFile; fileName: string | undefined } {
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

import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG_FILE } from '../defaults.js';
import { UsageError, ValidationError } from '../errors.js';
import { MIGRATION_FILE } from './file-names.js';

/** Where the package's JSON Schemas are, from a project that installed zdm. */
const SCHEMA_DIR = ['node_modules', 'zdm', 'schema'];
export const MIGRATION_SCHEMA_FILE = 'migration.schema.json';
export const CONFIG_SCHEMA_FILE = 'config.schema.json';

export const NEW_FORMATS = ['ts', 'json', 'yaml'] as const;
export type NewFormat = (typeof NEW_FORMATS)[number];

/** A `$schema` reference from `fromDir` to one of the package's schemas, as a relative path. */
function schemaRef(projectDir: string, fromDir: string, file: string): string {
  const relative = path
    .relative(fromDir, path.join(projectDir, ...SCHEMA_DIR, file))
    .split(path.sep)
    .join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

export interface InitResult {
  migrationsDir: string;
  createdDir: boolean;
  configFile: string;
  createdConfig: boolean;
}

/**
 * `zdm init`: the migrations directory and a zdm.config.json referencing the config's JSON
 * Schema. What exists already is left as it is (running it twice changes nothing).
 */
export async function initProject(projectDir: string, migrationsDir: string): Promise<InitResult> {
  const dir = path.resolve(projectDir, migrationsDir);
  const createdDir = !existsSync(dir);
  await mkdir(dir, { recursive: true });
  const configFile = path.join(projectDir, CONFIG_FILE);
  const createdConfig = !existsSync(configFile);
  if (createdConfig) {
    const relativeDir = path.relative(projectDir, dir).split(path.sep).join('/') || '.';
    const config = {
      $schema: schemaRef(projectDir, projectDir, CONFIG_SCHEMA_FILE),
      migrationsDir: relativeDir.startsWith('.') ? relativeDir : `./${relativeDir}`,
      lockTimeout: '2s',
    };
    await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
  }
  return { migrationsDir: dir, createdDir, configFile, createdConfig };
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/**
 * `zdm new <name>`: the next number (one more than the highest, as wide as the widest, at least
 * four digits) and a template that is refused until operations are added (a migration needs one).
 */
export async function newMigration(
  projectDir: string,
  migrationsDir: string,
  name: string,
  format: NewFormat,
): Promise<{ file: string; name: string }> {
  if (!NAME.test(name))
    throw new UsageError(
      `zdm new: "${name}" is not a migration name: use letters, digits, _ and -, ` +
        `starting with a letter or digit (e.g. rename_email)`,
    );
  const dir = path.resolve(projectDir, migrationsDir);
  if (!existsSync(dir))
    throw new ValidationError(`migrations directory ${dir} does not exist (zdm init creates it, or --migrations-dir)`);
  const numbers = (await readdir(dir)).flatMap((f) => {
    const m = MIGRATION_FILE.exec(f);
    return m ? [m[1]!] : [];
  });
  const next = numbers.reduce((max, n) => (BigInt(n) > max ? BigInt(n) : max), 0n) + 1n;
  const width = Math.max(4, ...numbers.map((n) => n.length));
  const base = `${String(next).padStart(width, '0')}_${name}`;
  const file = path.join(dir, `${base}.${format}`);
  await writeFile(file, template(format, schemaRef(projectDir, dir, MIGRATION_SCHEMA_FILE)), { flag: 'wx' });
  return { file, name: base };
}

function template(format: NewFormat, schema: string): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ $schema: schema, operations: [] }, null, 2)}\n`;
    case 'yaml':
      return [
        `# yaml-language-server: $schema=${schema}`,
        '# Add operations, e.g.:',
        '#   - op: renameColumn',
        '#     table: users',
        '#     from: user_email',
        '#     to: email_address',
        'operations: []',
        '',
      ].join('\n');
    case 'ts':
      return [
        "import { defineMigration } from 'zdm';",
        '',
        'export default defineMigration({',
        '  operations: [',
        "    // e.g. renameColumn({ table: 'users', from: 'user_email', to: 'email_address' }) (import it from 'zdm')",
        '  ],',
        '});',
        '',
      ].join('\n');
  }
}

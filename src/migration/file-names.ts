import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError, type ValidationIssue } from '../errors.js';

/** Extensions a migration file can have (lower case): data files and modules of either kind. */
const MIGRATION_EXTENSIONS = ['json', 'yaml', 'yml', 'ts', 'mts', 'cts', 'js', 'mjs', 'cjs'] as const;

/**
 * The naming rule: a number, `_`, a name of letters, digits, `_` and `-` starting with a letter or
 * digit, and a lower-case migration extension: `0001_rename_email.json`, `12_add-users.ts`.
 */
export const MIGRATION_FILE = new RegExp(`^(\\d+)_([A-Za-z0-9][A-Za-z0-9_-]*)\\.(${MIGRATION_EXTENSIONS.join('|')})$`);

const NAMING_RULE =
  'a migration file is named <number>_<name>.<ext>: digits, an underscore, a name of letters, ' +
  'digits, _ and - (starting with a letter or digit), and one of the extensions ' +
  MIGRATION_EXTENSIONS.map((e) => `.${e}`).join(' ');

/**
 * Type declarations, hidden files and plain SQL (what `zdm lint` reads, e.g. `0002_backfill.sql`) are
 * never migrations.
 */
const IGNORED = /(^\.)|(\.d\.[mc]?ts$)|(\.sql$)/i;

/**
 * Whether a file that does not follow the rule was meant as a migration: it starts with a digit
 * or has a migration extension in any case (`0001_x.txt`, `add_users.yaml`, `0001_x.JSON`).
 * Such a file is an error, never silently skipped; anything else (README.md, *.sql) is ignored.
 */
function looksLikeMigration(fileName: string): boolean {
  if (IGNORED.test(fileName)) return false;
  const ext = path.extname(fileName).slice(1).toLowerCase();
  return /^\d/.test(fileName) || (MIGRATION_EXTENSIONS as readonly string[]).includes(ext);
}

/** Why `fileName` breaks the naming rule, or undefined when it follows it (or is not a migration). */
function namingProblem(fileName: string): string | undefined {
  if (IGNORED.test(fileName) || MIGRATION_FILE.test(fileName) || !looksLikeMigration(fileName)) return undefined;
  const ext = path.extname(fileName).slice(1);
  const hint =
    ext !== ext.toLowerCase() && (MIGRATION_EXTENSIONS as readonly string[]).includes(ext.toLowerCase())
      ? `the extension must be lower case (.${ext.toLowerCase()})`
      : !/^\d/.test(fileName)
        ? 'it must start with the migration number'
        : /^\d+_\./.test(fileName)
          ? 'the name after the number is empty'
          : /^\d+[^_\d]/.test(fileName)
            ? 'the number must be followed by an underscore'
            : !(MIGRATION_EXTENSIONS as readonly string[]).includes(ext.toLowerCase())
              ? `".${ext}" is not a migration extension`
              : 'the name has characters outside letters, digits, _ and -';
  return (
    `does not follow the migration naming rule: ${hint}; ${NAMING_RULE} (move other files out ` +
    `of the migrations directory)`
  );
}

async function readDirectory(dir: string): Promise<{ name: string; isFile: boolean }[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new ValidationError(`migrations directory ${dir} is not a directory`);
    return (await readdir(dir, { withFileTypes: true })).map((e) => ({ name: e.name, isFile: !e.isDirectory() }));
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(
      `cannot read migrations directory ${dir}: ${(err as Error).message} (set it with ` +
        `--migrations-dir, ZDM_MIGRATIONS_DIR or "migrationsDir" in zdm.config.json)`,
    );
  }
}

/**
 * Migration files in `dir`, in order of their number. A file that looks like a migration but
 * breaks the naming rule, and two files with one number, are refused (exit 3) naming the files.
 */
export async function listMigrationFiles(dir: string): Promise<{ name: string; file: string }[]> {
  const entries = (await readDirectory(dir)).filter((e) => e.isFile).map((e) => e.name);
  const misnamed: ValidationIssue[] = entries.flatMap((f) => {
    const problem = namingProblem(f);
    return problem ? [{ file: path.join(dir, f), message: problem }] : [];
  });
  if (misnamed.length > 0) throw new ValidationError(misnamed);
  const files = entries
    .filter((f) => MIGRATION_FILE.test(f))
    .map((f) => ({ f, n: BigInt(MIGRATION_FILE.exec(f)![1]!) }))
    .sort((a, b) => (a.n === b.n ? a.f.localeCompare(b.f) : a.n < b.n ? -1 : 1));
  const seen = new Map<bigint, string>();
  for (const { f, n } of files) {
    const other = seen.get(n);
    if (other)
      throw new ValidationError([
        { file: path.join(dir, f), message: `has the same number as ${other}; migration numbers must be unique` },
      ]);
    seen.set(n, f);
  }
  return files.map(({ f }) => ({ name: f.replace(/\.[^.]+$/, ''), file: path.join(dir, f) }));
}

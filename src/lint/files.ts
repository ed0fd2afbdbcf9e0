/**
 * Which files `zdm lint` reads: paths, directories (recursively) and globs (`*`, `**`, `?`, `{a,b}`).
 * Directories yield `.sql` files and zdm migration files in `.json`/`.yaml`/`.yml`; `.ts`/`.js`
 * migration files are linted when named explicitly. node_modules and dot-directories are skipped.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

const DIR_EXTENSIONS = new Set(['.sql', '.json', '.yaml', '.yml']);
const LINTABLE_EXTENSIONS = new Set(['.sql', '.json', '.yaml', '.yml', '.ts', '.mts', '.js', '.mjs']);

/** A glob as a regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map((p) => p.replace(/[.+^$()|[\]\\]/g, '\\$&'))
          .join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function isGlob(p: string): boolean {
  return /[*?{]/.test(p);
}

function walkDir(dir: string, out: string[], filter: (file: string) => boolean): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walkDir(full, out, filter);
    else if (e.isFile() && filter(full)) out.push(full);
  }
}

export interface FileSelection {
  files: string[];
}

/**
 * Expands command-line paths into files, in a stable order, without duplicates. `exclude` globs
 * (config lint.excludePaths) are matched against paths relative to cwd.
 */
export function expandPaths(inputs: string[], cwd: string, exclude: string[] = []): string[] {
  const excluded = exclude.map(globToRegExp);
  const rel = (f: string) => path.relative(cwd, f).split(path.sep).join('/');
  const isExcluded = (f: string) =>
    excluded.length > 0 && excluded.some((re) => re.test(rel(f)) || re.test(path.basename(f)));
  const out: string[] = [];
  const seen = new Set<string>();
  for (const input of inputs) {
    const found: string[] = [];
    if (isGlob(input)) {
      const norm = input.split(path.sep).join('/');
      const parts = norm.split('/');
      const staticParts: string[] = [];
      for (const p of parts) {
        if (isGlob(p)) break;
        staticParts.push(p);
      }
      const base = path.resolve(cwd, staticParts.join('/') || '.');
      const re = globToRegExp(path.isAbsolute(norm) ? norm : path.resolve(cwd, norm).split(path.sep).join('/'));
      walkDir(base, found, (f) => re.test(f.split(path.sep).join('/')) && LINTABLE_EXTENSIONS.has(path.extname(f)));
      if (!found.length) throw new UsageError(`no files match ${input}`);
    } else {
      const full = path.resolve(cwd, input);
      let stat;
      try {
        stat = statSync(full);
      } catch {
        throw new UsageError(`${input} does not exist`);
      }
      if (stat.isDirectory()) walkDir(full, found, (f) => DIR_EXTENSIONS.has(path.extname(f)));
      else found.push(full);
    }
    for (const f of found) {
      if (seen.has(f) || isExcluded(f)) continue;
      seen.add(f);
      out.push(f);
    }
  }
  return out;
}

/**
 * Imports a migration module. TypeScript files go through the hooks in ts-hooks.ts, registered once
 * per process. Run from the sources (vitest, tsx), the hooks are not compiled and not needed: the
 * runner already loads TypeScript.
 */
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';

const hooks = new URL('./ts-hooks.js', import.meta.url);
let registered = false;

export async function importMigrationModule(url: string): Promise<unknown> {
  if (!registered && /\.[mc]?ts(\?|$)/.test(url) && existsSync(fileURLToPath(hooks))) {
    register(hooks);
    registered = true;
  }
  return import(/* @vite-ignore */ url);
}

export type ModuleExports = { default?: unknown; migration?: unknown };

/**
 * The migration a module exports. A file compiled to CommonJS (a `.ts` file in a project without
 * `"type": "module"`, a `.cts`, a `.cjs` that sets `exports.default`) arrives through import() as
 * `{ default: module.exports }`, so its `export default` is one level deeper: unwrapped here.
 */
export function exportedMigration(mod: ModuleExports): unknown {
  const exported = mod.default ?? mod.migration;
  if (exported !== null && typeof exported === 'object' && !('operations' in exported)) {
    const inner = exported as ModuleExports;
    if (inner.default !== undefined || inner.migration !== undefined) return inner.default ?? inner.migration;
  }
  return exported;
}

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

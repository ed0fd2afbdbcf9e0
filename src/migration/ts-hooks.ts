/**
 * Module hooks (node:module register) that let Node 20 import TypeScript migrations: a `.ts`, `.mts`
 * or `.cts` file is read, its type syntax removed by sucrase, and evaluated as an ES module, in
 * CommonJS and ESM projects alike (what tsx did, without its 11 MB esbuild binary). Only type
 * syntax is stripped: no down-levelling, no tsconfig paths. Relative imports written the TypeScript
 * way (`./shared.js` for `./shared.ts`) resolve to the `.ts` file. Runs on Node's hooks thread.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'sucrase';

const TS_URL = /\.[mc]?ts$/;

type Next<C, R> = (specifier: string, context: C) => Promise<R>;
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
interface LoadResult {
  format: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}

export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  next: Next<{ parentURL?: string }, ResolveResult>,
): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (err) {
    const fromTs = context.parentURL !== undefined && TS_URL.test(new URL(context.parentURL).pathname);
    const relativeJs = /^\.{1,2}\/.*\.[mc]?js$/.test(specifier);
    if (!fromTs || !relativeJs || (err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return next(specifier.replace(/js$/, 'ts'), context);
  }
}

export async function load(url: string, context: object, next: Next<object, LoadResult>): Promise<LoadResult> {
  const { pathname, protocol } = new URL(url);
  if (protocol !== 'file:' || !TS_URL.test(pathname)) return next(url, context);
  const file = fileURLToPath(url);
  const { code } = transform(await readFile(file, 'utf8'), {
    transforms: ['typescript'],
    disableESTransforms: true,
    keepUnusedImports: false,
    filePath: file,
  });
  return { format: 'module', source: code, shortCircuit: true };
}

// Part of `npm run build`, after tsc: bundles the compiled CLI (dist/cli/main.js and every module it
// imports, lazily imported ones in chunks of their own) into dist/cli-bundle/, which bin/zdm.js runs.
// Node 20's ES module loader costs ~0.9 M instructions per module and `zdm lint` loaded ~120 of them;
// bundled, it loads ~25 chunks (BENCHMARKS.md "Lint start-up"). Packages stay external (node_modules).
// The library (dist/index.js) and the lint worker thread (dist/lint/thread-worker.js) are not bundled.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = path.join(root, 'dist');
const outdir = path.join(dist, 'cli-bundle');

/**
 * A module's `import.meta.url` keeps pointing at its own file in dist/, not at the chunk it lands in,
 * so the paths built from it (the lint worker, the rule docs, package.json, the TypeScript hooks,
 * the parser's package, the volatility table) resolve as in the unbundled build.
 */
const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const own = path.relative(outdir, args.path).split(path.sep).join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`),
        loader: 'js',
      };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: path.join(dist, 'cli/main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  plugins: [keepImportMetaUrl],
  // Minified for the install size (issue 13: a consumer's node_modules under 25 MB) and start-up;
  // keepNames keeps function and class names in stack traces.
  minify: true,
  keepNames: true,
  logLevel: 'warning',
});

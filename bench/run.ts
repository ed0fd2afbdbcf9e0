/**
 * `npm run bench [-- name ...]`: runs the named benchmarks (default: all) and rewrites their
 * sections of BENCHMARKS.md.
 */
import { benchBackfill } from './backfill/index.js';
import { benchFleet } from './fleet.js';
import { benchLint } from './lint/index.js';
import { benchRename } from './rename.js';

const BENCHES: Record<string, () => Promise<void>> = {
  rename: benchRename,
  backfill: benchBackfill,
  lint: benchLint,
  fleet: benchFleet,
};

const wanted = process.argv.slice(2).filter((a) => a !== '--');
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  process.stderr.write(`== bench ${name}\n`);
  await bench();
}

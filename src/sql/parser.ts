import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import type { ParseResult, ScanResult } from 'libpg-query';

/**
 * The real Postgres grammar (libpg-query 18, compiled to WASM), loaded once per process for the
 * planner, the SQL rewrites and the linter alike.
 *
 * libpg-query compiles its 1.7 MB module when it is imported, so it is imported here, after one V8
 * setting: `--liftoff-only`, V8's baseline WebAssembly compiler and nothing else. Functions are then
 * compiled lazily, on first call, in microseconds, and nothing is handed to TurboFan. Measured on
 * 20,000 statements (bench/lint/speed.ts corpus, 2 cores): the first parse of all of them takes
 * ~180 ms Liftoff-only, against ~600-900 ms with V8's defaults or with dynamic tiering off (the
 * optimising compiles of the 1.7 MB module compete with the parse for the two cores and the parse
 * waits on them), and TurboFan code is barely faster once ready (~130-150 against ~140-170 ms per pass):
 * most of a parse is the JSON the module returns (UTF-8 decode, JSON.parse), not WebAssembly. The
 * flag affects only WebAssembly compiled afterwards; libpg-query is the only WebAssembly zdm itself loads.
 * `--wasm-lazy-validation` validates each function when it is first compiled instead of the whole
 * module up front (a lint run calls a fraction of its functions): measured with callgrind, Node 20
 * loading the module and parsing one statement takes 236 M instructions against 275 M without it
 * (`node -e 0`: 90 M).
 */
type PgQuery = typeof import('libpg-query');
let pgQuery: PgQuery | undefined;
let loaded: Promise<void> | undefined;

export function loadParser(): Promise<void> {
  loaded ??= (async () => {
    try {
      setFlagsFromString('--liftoff-only');
      setFlagsFromString('--wasm-lazy-validation');
    } catch {
      // an embedder that refuses V8 flags: the parser is only slower
    }
    // require, not import(): the package's entry point is CommonJS (index.cjs), and import() of
    // CommonJS makes Node scan its source for export names first (cjs-module-lexer), 10-30 ms of
    // CPU at start-up for nothing.
    const mod = createRequire(import.meta.url)('libpg-query') as PgQuery;
    await mod.loadModule();
    pgQuery = mod;
  })();
  return loaded;
}

function lib(): PgQuery {
  if (!pgQuery) throw new Error('the SQL parser is not loaded: await loadParser() first');
  return pgQuery;
}

/** Parses SQL with the Postgres 18 grammar (after loadParser). Throws libpg-query's SqlError on bad SQL. */
export function parseSql(sql: string): ParseResult {
  return lib().parseSync(sql);
}

/** The Postgres scanner's tokens, comments included (after loadParser). */
export function scanSql(sql: string): ScanResult {
  return lib().scanSync(sql);
}

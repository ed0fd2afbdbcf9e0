import { setFlagsFromString } from 'node:v8';
import type { ParseResult, ScanResult } from 'libpg-query';

/**
 * The real Postgres grammar (libpg-query 18, compiled to WASM), loaded once per process for the
 * planner, the SQL rewrites and the linter alike.
 *
 * libpg-query compiles its 1.7 MB module when it is imported, so it is imported here, after one V8
 * setting: without it V8 runs the parser on baseline (Liftoff) code and optimises only functions it
 * finds hot, which for a one-shot `zdm lint` of thousands of files means most of the parsing runs
 * unoptimised (measured: 20,000 statements parse in ~440 ms on first use, ~185 ms once optimised).
 * With dynamic tiering off, V8 optimises the whole module in the background right away. The flag
 * affects only WebAssembly compiled afterwards.
 */
type PgQuery = typeof import('libpg-query');
let pgQuery: PgQuery | undefined;
let loaded: Promise<void> | undefined;

export function loadParser(): Promise<void> {
  loaded ??= (async () => {
    try {
      setFlagsFromString('--no-wasm-dynamic-tiering');
    } catch {
      // an embedder that refuses V8 flags: the parser is only slower
    }
    const mod = await import('libpg-query');
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

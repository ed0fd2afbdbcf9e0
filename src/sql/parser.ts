import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { ParseResult, ScanResult } from 'libpg-query';
import { instantiateSmaller } from './wasm-memory.js';

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
/** What zdm uses of the Emscripten module libpg-query's glue (wasm/libpg-query.js) builds. */
interface PgQueryWasm {
  _malloc(size: number): number;
  _free(ptr: number): void;
  lengthBytesUTF8(s: string): number;
  stringToUTF8(s: string, ptr: number, max: number): void;
  UTF8ToString(ptr: number): string;
  getValue(ptr: number, type: 'i32'): number;
  _wasm_parse_query_raw(ptr: number): number;
  _wasm_free_parse_result(ptr: number): void;
  _wasm_scan(ptr: number): number;
  _wasm_free_string(ptr: number): void;
}
type Factory = (options: {
  instantiateWasm: (imports: object, done: (instance: object) => void) => object;
}) => Promise<PgQueryWasm>;

/** A syntax error, as libpg-query's own SqlError: the message and where (cursorPosition: 0-based). */
export class SqlError extends Error {
  constructor(
    message: string,
    readonly sqlDetails: {
      message: string;
      cursorPosition: number;
      fileName?: string | undefined;
      functionName?: string | undefined;
      lineNumber?: number | undefined;
    },
  ) {
    super(message);
    this.name = 'SqlError';
  }
}

let wasm: PgQueryWasm | undefined;
let loaded: Promise<void> | undefined;

/**
 * The package's own entry point (wasm/index.cjs) instantiates the module as it is required, with the
 * declared 128 MB of memory (src/sql/wasm-memory.ts says why that costs a garbage collection). zdm
 * requires the Emscripten glue next to it instead and hands it the module with less initial memory;
 * parseSql and scanSql below do what the package's parseSync and scanSync do.
 */
export function loadParser(): Promise<void> {
  loaded ??= (async () => {
    try {
      setFlagsFromString('--liftoff-only');
      setFlagsFromString('--wasm-lazy-validation');
    } catch {
      // an embedder that refuses V8 flags: the parser is only slower
    }
    // require, not import(): the glue is CommonJS, and import() of CommonJS makes Node scan its
    // source for export names first (cjs-module-lexer), 10-30 ms of CPU at start-up for nothing.
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('libpg-query'));
    const factory = require(path.join(dir, 'libpg-query.js')) as Factory;
    const bytes = readFileSync(path.join(dir, 'libpg-query.wasm'));
    wasm = await new Promise<PgQueryWasm>((resolve, reject) => {
      const instantiateWasm = (imports: object, done: (instance: object) => void) => {
        instantiateSmaller(bytes, imports).then(done, reject);
        return {};
      };
      factory({ instantiateWasm }).then(resolve, reject);
    });
  })();
  return loaded;
}

function lib(): PgQueryWasm {
  if (!wasm) throw new Error('the SQL parser is not loaded: await loadParser() first');
  return wasm;
}

/** Calls `fn` with `sql` copied into the module's memory as a NUL-terminated UTF-8 string. */
function withString<T>(m: PgQueryWasm, sql: string, fn: (ptr: number) => T): T {
  const size = m.lengthBytesUTF8(sql) + 1;
  const ptr = m._malloc(size);
  try {
    m.stringToUTF8(sql, ptr, size);
    return fn(ptr);
  } finally {
    m._free(ptr);
  }
}

function syntaxError(m: PgQueryWasm, errorPtr: number): SqlError {
  const str = (at: number) => {
    const ptr = m.getValue(errorPtr + at, 'i32');
    return ptr ? m.UTF8ToString(ptr) : undefined;
  };
  const message = str(0) ?? 'Unknown error';
  const lineNumber = m.getValue(errorPtr + 12, 'i32');
  const cursor = m.getValue(errorPtr + 16, 'i32');
  return new SqlError(message, {
    message,
    cursorPosition: cursor > 0 ? cursor - 1 : 0,
    fileName: str(8),
    functionName: str(4),
    lineNumber: lineNumber > 0 ? lineNumber : undefined,
  });
}

/** Parses SQL with the Postgres 18 grammar (after loadParser). Throws SqlError on bad SQL. */
export function parseSql(sql: string): ParseResult {
  const m = lib();
  if (sql === '') throw new Error('Query cannot be empty');
  return withString(m, sql, (queryPtr) => {
    const result = m._wasm_parse_query_raw(queryPtr);
    if (!result) throw new Error('Failed to parse query: memory allocation failed');
    try {
      const error = m.getValue(result + 8, 'i32');
      if (error) throw syntaxError(m, error);
      const tree = m.getValue(result, 'i32');
      if (!tree) throw new Error('No parse tree generated');
      return JSON.parse(m.UTF8ToString(tree)) as ParseResult;
    } finally {
      m._wasm_free_parse_result(result);
    }
  });
}

/** The Postgres scanner's tokens, comments included (after loadParser). */
export function scanSql(sql: string): ScanResult {
  const m = lib();
  return withString(m, sql, (queryPtr) => {
    const result = m._wasm_scan(queryPtr);
    try {
      const text = m.UTF8ToString(result);
      if (text.startsWith('syntax error') || text.startsWith('deparse error') || text.startsWith('ERROR'))
        throw new Error(text);
      return JSON.parse(text) as ScanResult;
    } finally {
      if (result) m._wasm_free_string(result);
    }
  });
}

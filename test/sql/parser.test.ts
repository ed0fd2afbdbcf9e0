import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, parseSql, scanSql } from '../../src/sql/parser.js';
import { instantiateSmaller, withSmallerInitialMemory } from '../../src/sql/wasm-memory.js';

// zdm loads libpg-query's WebAssembly through the package's Emscripten glue, with less initial memory
// than the module declares (src/sql/wasm-memory.ts); what it parses must not change.
const require = createRequire(import.meta.url);
const pkg = require('libpg-query') as typeof import('libpg-query');
const wasmPath = path.join(path.dirname(require.resolve('libpg-query')), 'libpg-query.wasm');

/** The declared initial size of a module's own memory, read from its memory section. */
function initialBytes(bytes: Uint8Array): number {
  let p = 8;
  const leb = () => {
    let r = 0;
    let s = 0;
    let b;
    do {
      b = bytes[p++]!;
      r += (b & 0x7f) * 2 ** s;
      s += 7;
    } while (b & 0x80);
    return r;
  };
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    const next = p + size;
    if (id === 5) {
      leb();
      leb();
      return leb() * 65536;
    }
    p = next;
  }
  throw new Error('no memory section');
}

describe('libpg-query as zdm loads it', () => {
  beforeAll(async () => {
    await Promise.all([loadParser(), pkg.loadModule()]);
  });

  it('declares under 64 MB of initial memory (V8 collects garbage at once past that), above the stack', () => {
    const original = readFileSync(wasmPath);
    const smaller = withSmallerInitialMemory(original);
    expect(initialBytes(original)).toBe(128 * 1024 * 1024);
    expect(initialBytes(smaller)).toBeLessThan(64 * 1024 * 1024);
    expect(initialBytes(smaller)).toBeGreaterThan(32 * 1024 * 1024);
    expect(smaller.length).toBe(original.length);
  });

  it('leaves bytes it does not recognise unchanged', () => {
    const junk = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 200]);
    expect(withSmallerInitialMemory(junk)).toBe(junk);
    const notWasm = new TextEncoder().encode('SELECT 1');
    expect(withSmallerInitialMemory(notWasm)).toBe(notWasm);
  });

  it('instantiates the declared memory when its data lies above the lowered size', async () => {
    // 16 pages (max 32), the stack top (first global) at 1 page, 4 bytes of data at 3 pages, memory exported.
    const module = new Uint8Array([
      ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
      ...[5, 4, 1, 1, 16, 32],
      ...[6, 8, 1, 0x7f, 1, 0x41, 0x80, 0x80, 0x04, 0x0b],
      ...[7, 5, 1, 1, 0x6d, 2, 0],
      ...[11, 12, 1, 0, 0x41, 0x80, 0x80, 0x0c, 0x0b, 4, 1, 2, 3, 4],
    ]);
    const memory = async (headroom: number) => {
      const instance = (await instantiateSmaller(module, {}, headroom)) as {
        exports: { m: { buffer: ArrayBuffer } };
      };
      const { buffer } = instance.exports.m;
      return { pages: buffer.byteLength / 65536, data: [...new Uint8Array(buffer, 3 * 65536, 4)] };
    };
    expect(initialBytes(withSmallerInitialMemory(module, 0))).toBe(65536);
    expect(await memory(0)).toEqual({ pages: 16, data: [1, 2, 3, 4] });
    expect(await memory(4 * 65536)).toEqual({ pages: 5, data: [1, 2, 3, 4] });
  });

  it('parses and scans as the package does, a statement far larger than the initial memory included', () => {
    for (const sql of ['SELECT 1', 'ALTER TABLE t ADD COLUMN "é" int; -- note\nCREATE INDEX i ON t (a);']) {
      expect(parseSql(sql)).toEqual(pkg.parseSync(sql));
      expect(scanSql(sql)).toEqual(pkg.scanSync(sql));
    }
    // 10 MB of SQL, its copy in the module's memory and its 10 MB parse tree: past the 8 MB zdm leaves
    // above the stack, so the module's memory grows.
    const big = `SELECT '${'x'.repeat(10 * 1024 * 1024)}' AS a, $$é€$$ AS b`;
    expect(JSON.stringify(parseSql(big))).toBe(JSON.stringify(pkg.parseSync(big)));
  });

  it('reports a syntax error with the package message and 0-based cursor position', () => {
    const sql = 'SELECT 1;\nALTER TABLE t ADD COLUMN';
    const theirs = (() => {
      try {
        pkg.parseSync(sql);
      } catch (err) {
        return err as { message: string; sqlDetails: unknown; name: string };
      }
    })();
    expect(() => parseSql(sql)).toThrow(theirs!.message);
    try {
      parseSql(sql);
    } catch (err) {
      const mine = err as { message: string; sqlDetails: unknown; name: string };
      expect(mine.sqlDetails).toEqual(theirs!.sqlDetails);
      expect(mine.name).toBe('SqlError');
    }
    expect(() => parseSql('')).toThrow('Query cannot be empty');
  });
});

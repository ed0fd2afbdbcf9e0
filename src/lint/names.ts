/**
 * Object names as Postgres resolves them. The parser has already folded unquoted identifiers to
 * lower case and kept quoted ones as written, so names from the AST are compared exactly; an
 * unqualified name resolves through the session's search_path (`public` by default).
 */
import { quoteIdent, type QualifiedName } from '../db/quote.js';

export type { QualifiedName };

export const DEFAULT_SEARCH_PATH: readonly string[] = ['public'];

/** A map key for a qualified name. */
export function keyOf(q: QualifiedName): string {
  return `${q.schema}\u0000${q.name}`;
}

/** `public.users`, `"Billing"."User"`: quoted only where needed, like psql. */
export function display(q: QualifiedName): string {
  return `${quoteIdent(q.schema)}.${quoteIdent(q.name)}`;
}

/**
 * Resolves `name` / `schema.name` through search_path. `exists(q)` says whether an object is known
 * (created earlier in the file, or in the live catalog); the first search_path schema where it is
 * known wins, otherwise the first schema (where CREATE would put it).
 */
export function resolveName(
  parts: { schema: string | undefined; name: string },
  searchPath: readonly string[],
  exists: (q: QualifiedName) => boolean,
): QualifiedName {
  if (parts.schema) return { schema: parts.schema, name: parts.name };
  for (const schema of searchPath) {
    const q = { schema, name: parts.name };
    if (exists(q)) return q;
  }
  return { schema: searchPath[0] ?? 'public', name: parts.name };
}

/** Parses a search_path value list: `"$user", public` → ['public']; pg_catalog/pg_temp are skipped. */
export function parseSearchPath(values: string[]): string[] {
  const out: string[] = [];
  for (const raw of values) {
    for (const part of raw.split(',')) {
      let v = part.trim();
      if (!v) continue;
      if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replaceAll('""', '"');
      else v = v.toLowerCase();
      if (v === '$user' || v === 'pg_catalog' || v.startsWith('pg_temp')) continue;
      out.push(v);
    }
  }
  return out.length ? out : [...DEFAULT_SEARCH_PATH];
}

export interface PgVersion {
  major: number;
  minor: number;
}

export const DEFAULT_PG_VERSION: PgVersion = { major: 15, minor: 0 };

/** "15", "14.2", 15, 14.2, or a server_version_num (150004). Returns undefined when malformed. */
export function parsePgVersion(input: string | number | undefined): PgVersion | undefined {
  if (input === undefined || input === '') return undefined;
  if (typeof input === 'number' && Number.isInteger(input) && input >= 90000) {
    return input >= 100000
      ? { major: Math.floor(input / 10000), minor: input % 10000 }
      : { major: Math.floor(input / 10000), minor: Math.floor(input / 100) % 100 };
  }
  const m = /^\s*(\d+)(?:\.(\d+))?(?:\.\d+)?\s*$/.exec(String(input));
  if (!m) return undefined;
  const major = Number(m[1]);
  if (major >= 90000) return parsePgVersion(major);
  if (major < 9 || major > 99) return undefined;
  return { major, minor: m[2] ? Number(m[2]) : 0 };
}

/** major.minor comparison: at least the given version. */
export function atLeast(v: PgVersion, major: number, minor = 0): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

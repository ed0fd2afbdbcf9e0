/**
 * Built-in function volatility per Postgres major, generated from pg_proc.provolatile by
 * bench/lint/gen-volatility.ts on the majors this project runs (src/lint/data/volatility.json).
 * Other majors are approximated by the nearest generated major: a name absent there counts as
 * volatile (the conservative side), and built-ins rarely change volatility between majors.
 */
import { readFileSync } from 'node:fs';

/** pg_proc.provolatile: immutable, stable, volatile. */
export type Volatility = 'i' | 's' | 'v';

interface MajorEntry {
  source: string;
  immutable: string[];
  stable: string[];
}

/**
 * The 146 KB table, read when a rule first asks for a function's volatility (most files never do):
 * imported, it was parsed at every start-up (BENCHMARKS.md "Lint start-up"). Built next to this
 * module: tsconfig.json includes the file, so tsc copies it to dist/.
 */
let table: Record<string, MajorEntry> | undefined;
function volatilityTable(): Record<string, MajorEntry> {
  table ??= JSON.parse(readFileSync(new URL('./data/volatility.json', import.meta.url), 'utf8')) as Record<
    string,
    MajorEntry
  >;
  return table;
}
const cache = new Map<number, (name: string) => Volatility | undefined>();

/** The generated major used for a target major. */
function volatilityMajorFor(major: number): number {
  const MAJORS = Object.keys(volatilityTable())
    .map(Number)
    .sort((a, b) => a - b);
  let best = MAJORS[0]!;
  for (const m of MAJORS)
    if (Math.abs(m - major) < Math.abs(best - major) || (Math.abs(m - major) === Math.abs(best - major) && m <= major))
      best = m;
  return best;
}

/** Volatility of a pg_catalog function for a target major; undefined when not a known built-in. */
export function builtinVolatility(major: number): (name: string) => Volatility | undefined {
  let lookup = cache.get(major);
  if (!lookup) {
    const entry = volatilityTable()[String(volatilityMajorFor(major))]!;
    const map = new Map<string, Volatility>();
    for (const n of entry.immutable) map.set(n, 'i');
    for (const n of entry.stable) map.set(n, 's');
    lookup = (name) => map.get(name);
    cache.set(major, lookup);
  }
  return lookup;
}

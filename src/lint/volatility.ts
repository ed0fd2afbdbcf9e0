/**
 * Built-in function volatility per Postgres major, generated from pg_proc.provolatile by
 * bench/lint/gen-volatility.ts on the majors this project runs (src/lint/data/volatility.json).
 * Other majors are approximated by the nearest generated major: a name absent there counts as
 * volatile (the conservative side), and built-ins rarely change volatility between majors.
 */
import data from './data/volatility.json' with { type: 'json' };

/** pg_proc.provolatile: immutable, stable, volatile. */
export type Volatility = 'i' | 's' | 'v';

interface MajorEntry {
  source: string;
  immutable: string[];
  stable: string[];
}

const TABLE = data as Record<string, MajorEntry>;
const MAJORS = Object.keys(TABLE)
  .map(Number)
  .sort((a, b) => a - b);
const cache = new Map<number, (name: string) => Volatility | undefined>();

/** The generated major used for a target major. */
function volatilityMajorFor(major: number): number {
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
    const entry = TABLE[String(volatilityMajorFor(major))]!;
    const map = new Map<string, Volatility>();
    for (const n of entry.immutable) map.set(n, 'i');
    for (const n of entry.stable) map.set(n, 's');
    lookup = (name) => map.get(name);
    cache.set(major, lookup);
  }
  return lookup;
}

/**
 * Generates src/lint/data/volatility.json: the names of built-in (pg_catalog) functions whose every
 * overload is IMMUTABLE or STABLE, per Postgres major, read from pg_proc.provolatile on real servers.
 * A column DEFAULT that calls only these is evaluated once by ADD COLUMN on PG 11+ (stored in
 * attmissingval), so it does not rewrite the table; anything else (volatile or unknown) does.
 *
 *   npx tsx bench/lint/gen-volatility.ts            # embedded PG 18 + every /usr/lib/postgresql/N/bin
 *
 * Majors that cannot be started here are approximated by the nearest generated major
 * (src/lint/volatility.ts).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { systemBinDirs } from '../../src/embedded/binaries.js';
import { startCluster } from '../../src/embedded/cluster.js';

interface MajorEntry {
  /** server_version of the server it was read from. */
  source: string;
  immutable: string[];
  stable: string[];
}

async function readMajor(binDir: string | undefined): Promise<[number, MajorEntry]> {
  const cluster = await startCluster({ binDir, replica: false, fast: true });
  try {
    const client = new pg.Client({ connectionString: cluster.primary.url() });
    await client.connect();
    try {
      const version = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
      // One row per name: a name counts as non-volatile only when no overload is volatile.
      const { rows } = await client.query<{ name: string; vols: string }>(`
        SELECT p.proname AS name, string_agg(DISTINCT p.provolatile::text, '' ORDER BY p.provolatile::text) AS vols
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'pg_catalog'
        GROUP BY p.proname ORDER BY p.proname`);
      const immutable = rows.filter((r) => r.vols === 'i').map((r) => r.name);
      const stable = rows.filter((r) => !r.vols.includes('v') && r.vols.includes('s')).map((r) => r.name);
      return [cluster.binaries.major, { source: version, immutable, stable }];
    } finally {
      await client.end();
    }
  } finally {
    await cluster.stop();
  }
}

const out: Record<string, MajorEntry> = {};
for (const dir of [undefined, ...systemBinDirs()]) {
  const [major, entry] = await readMajor(dir);
  out[String(major)] = entry;
  console.log(`PG ${entry.source}: ${entry.immutable.length} immutable, ${entry.stable.length} stable names`);
}
const target = fileURLToPath(new URL('../../src/lint/data/volatility.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(out)}\n`);
console.log(`wrote ${target}`);

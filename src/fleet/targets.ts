import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { connect, redactUrl } from '../db/connect.js';
import { ConfigError, DatabaseError, UsageError } from '../errors.js';

/** One place a migration applies: a database, or one tenant schema of a database. */
export interface FleetTarget {
  /** Shown in the summary: `host:port/db`, `host:port/db#schema`, or the name the fleet file gives. */
  name: string;
  databaseUrl: string;
  /** Tenant schema: unqualified names resolve in it; its state lives in `<stateSchema>_<schema>`. */
  schema?: string;
  /** Replicas of this target's server whose lag gates it (else the settings' replicas). */
  replicas?: string[];
}

const DatabaseEntry = z
  .object({
    name: z.string().optional(),
    databaseUrl: z.string(),
    replicas: z.array(z.string()).optional(),
    /** Tenant schemas of this database, listed. */
    schemas: z.array(z.string().min(1)).optional(),
    /** Tenant schemas of this database, by a query whose first column is the schema name. */
    schemasQuery: z.string().optional(),
  })
  .strict();

/** zdm.fleet.json / zdm.fleet.yaml. */
const FleetFileSchema = z
  .object({
    $schema: z.string().optional(),
    targets: z.array(z.union([z.string(), DatabaseEntry])).min(1),
  })
  .strict();

/** A fleet file's entry: a database URL, or a database with its name, replicas and tenant schemas. */
export type FleetEntry = string | z.infer<typeof DatabaseEntry>;
type Entry = z.infer<typeof DatabaseEntry>;

const FLEET_FILES = ['zdm.fleet.json', 'zdm.fleet.yaml', 'zdm.fleet.yml'];

/** The fleet file's entries plus each `--target <url>` or `--target <url>#<schema>`. */
export function fleetEntries(cwd: string, file: string | undefined, flagTargets: string[]): Entry[] {
  const entries = flagTargets.map(targetFlag);
  const found = file ? path.resolve(cwd, file) : FLEET_FILES.map((f) => path.join(cwd, f)).find((f) => existsSync(f));
  if (file && !existsSync(found!)) throw new ConfigError(`fleet file ${found} does not exist`);
  if (found && (file || entries.length === 0)) entries.push(...readFleetFile(found));
  if (entries.length === 0)
    throw new UsageError('no fleet targets: write zdm.fleet.json (or .yaml), pass --fleet <file>, or --target <url>');
  return entries;
}

function targetFlag(flag: string): Entry {
  const hash = flag.indexOf('#');
  if (hash < 0) return { databaseUrl: flag };
  const schema = decodeURIComponent(flag.slice(hash + 1));
  if (!schema) throw new UsageError(`--target ${redactUrl(flag)}: nothing after # (expected a schema name)`);
  return { databaseUrl: flag.slice(0, hash), schemas: [schema] };
}

function readFleetFile(file: string): Entry[] {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file}: cannot read: ${(err as Error).message}`);
  }
  return parseEntries(file, raw);
}

/** The targets of a fleet file (`where`: the file) or of runFleet's options, validated by one schema. */
export function parseEntries(where: string, raw: unknown): Entry[] {
  const parsed = FleetFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n'),
    );
  return parsed.data.targets.map((t) => (typeof t === 'string' ? { databaseUrl: t } : t));
}

/** Every target, with tenant schemas listed by query read from their database (in name order). */
export async function resolveTargets(entries: readonly Entry[]): Promise<FleetTarget[]> {
  const targets: FleetTarget[] = [];
  for (const entry of entries) {
    const base = entry.name ?? shortUrl(entry.databaseUrl);
    const extra = entry.replicas ? { replicas: entry.replicas } : {};
    const schemas = [...(entry.schemas ?? []), ...(entry.schemasQuery ? await querySchemas(entry) : [])];
    if (!entry.schemas && !entry.schemasQuery) targets.push({ name: base, databaseUrl: entry.databaseUrl, ...extra });
    for (const schema of schemas)
      targets.push({ name: `${base}#${schema}`, databaseUrl: entry.databaseUrl, schema, ...extra });
  }
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new ConfigError(`fleet target ${t.name} is listed twice`);
    seen.add(t.name);
  }
  return targets;
}

async function querySchemas(entry: Entry): Promise<string[]> {
  const conn = connect(entry.databaseUrl, 'zdm fleet', { max: 1 });
  try {
    const { rows } = await conn.pool.query<Record<string, unknown>>(entry.schemasQuery!);
    return rows.map((r) => String(Object.values(r)[0])).sort();
  } catch (err) {
    throw new DatabaseError(`${shortUrl(entry.databaseUrl)}: schemasQuery failed: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await conn.close();
  }
}

/** `host:port/db` of a URL (no user, no password). */
function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return redactUrl(url);
  }
}

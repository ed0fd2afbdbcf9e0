import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { quoteIdent } from '../../src/db/quote.js';
import { APP_LOCK_WAIT_LIMIT_MS, type AppStats } from './apps.js';
import { track } from './workload.js';

/**
 * A reference the application keeps although no foreign key declares it (yet): a later migration
 * adds the constraint, and the rows the application wrote before must satisfy it.
 */
export interface KeptReference {
  table: string;
  columns: string[];
  references: { table: string; columns: string[] };
}

interface Column {
  name: string;
  type: string;
  category: string;
  typname: string;
  notNull: boolean;
  /** Filled in by the database: identity, generated, or a sequence default (serial). */
  automatic: boolean;
  label: string | null;
  key: boolean;
}

interface Table {
  name: string;
  columns: Column[];
  references: KeptReference[];
  /** Primary-key columns (ctid when the table has none). */
  primaryKey: string[];
}

const COLUMNS = `
  SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typcategory AS category,
         t.typname, a.attnotnull AS "notNull",
         (a.attidentity <> '' OR a.attgenerated <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false)) AS automatic,
         (SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = a.atttypid ORDER BY e.enumsortorder LIMIT 1) AS label,
         EXISTS (SELECT FROM pg_constraint k WHERE k.contype IN ('p', 'f') AND k.conrelid = c.oid AND a.attnum = ANY (k.conkey)
                  UNION ALL SELECT FROM pg_constraint k WHERE k.contype = 'f' AND k.confrelid = c.oid AND a.attnum = ANY (k.confkey)) AS key
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   ORDER BY c.relname, a.attnum`;

const FOREIGN_KEYS = `
  SELECT c.relname AS table, r.relname AS ref,
         ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY o) AS columns,
         ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY o) AS "refColumns"
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = $1 AND k.contype = 'f'`;

const PRIMARY_KEYS = `
  SELECT c.relname AS table, ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
                                    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY o) AS columns
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = $1 AND k.contype = 'p'`;

/** The schema's tables as the application sees them now, referenced tables before those referencing them. */
async function readTables(client: pg.Client, schema: string, kept: KeptReference[]): Promise<Table[]> {
  const tables = new Map<string, Table>();
  for (const c of (await client.query<Column & { table: string }>(COLUMNS, [schema])).rows) {
    const t = tables.get(c.table) ?? { name: c.table, columns: [], references: [], primaryKey: [] };
    t.columns.push(c);
    tables.set(c.table, t);
  }
  const fks = (
    await client.query<{ table: string; ref: string; columns: string[]; refColumns: string[] }>(FOREIGN_KEYS, [schema])
  ).rows;
  for (const fk of fks)
    tables.get(fk.table)!.references.push({
      table: fk.table,
      columns: fk.columns,
      references: { table: fk.ref, columns: fk.refColumns },
    });
  for (const ref of kept) {
    const t = tables.get(ref.table);
    if (!t || !tables.has(ref.references.table)) continue;
    if (t.references.some((r) => r.columns.join() === ref.columns.join())) continue;
    t.references.push(ref);
    for (const c of t.columns) if (ref.columns.includes(c.name)) c.key = true;
  }
  for (const pk of (await client.query<{ table: string; columns: string[] }>(PRIMARY_KEYS, [schema])).rows)
    tables.get(pk.table)!.primaryKey = pk.columns;
  const ordered: Table[] = [];
  const visit = (t: Table, seen: Set<string>) => {
    if (ordered.includes(t) || seen.has(t.name)) return;
    seen.add(t.name);
    for (const r of t.references) if (r.references.table !== t.name) visit(tables.get(r.references.table)!, seen);
    ordered.push(t);
  };
  for (const t of tables.values()) visit(t, new Set());
  return ordered;
}

/**
 * A value of the column's type that every constraint of the examples accepts: numbers and
 * digit strings from one counter, so they are unique, positive, longer than three characters and
 * castable to a number.
 */
function value(c: Column, n: number): string | undefined {
  if (c.label !== null) return c.label;
  switch (c.category) {
    case 'N':
      return String(c.typname === 'int2' ? n % 30_000 : n);
    case 'S':
      return String(n);
    case 'D':
      return 'now';
    case 'B':
      return 'true';
    default:
      if (c.typname === 'uuid') return crypto.randomUUID();
      if (c.typname === 'json' || c.typname === 'jsonb') return '{}';
      if (c.notNull) throw new Error(`the schema writer has no value for column ${c.name} of type ${c.type}`);
      return undefined;
  }
}

export interface SchemaWriter {
  stats: AppStats;
  /** Rows inserted, by table: every table the writer knows, once per round. */
  inserted: Map<string, number>;
  /** Resolves once the writer has inserted into and updated every table, all after this call. */
  round(): Promise<void>;
  stop(): Promise<AppStats>;
}

/**
 * An old application version that knows every table of `schema` as it is when it starts: in
 * rounds, it inserts one row into each table (references taken from the row it inserted last
 * into the referenced table) and updates one recent row's columns that are no key. It keeps
 * writing the shape it started with, whatever a migration changes meanwhile.
 */
export async function startSchemaWriter(o: {
  url: string;
  schema?: string;
  kept?: KeptReference[];
  /** Shared across writers so values stay unique in the database. */
  counter: { n: number };
}): Promise<SchemaWriter> {
  // Lock waits bounded by the server, as for the other test applications (helpers/apps.ts).
  const client = new pg.Client({
    connectionString: o.url,
    application_name: 'app old',
    lock_timeout: APP_LOCK_WAIT_LIMIT_MS,
  });
  client.on('error', () => undefined);
  await client.connect();
  const tables = await readTables(client, o.schema ?? 'public', o.kept ?? []);
  const stats: AppStats = {
    name: 'old',
    ops: 0,
    errors: [],
    maxLatencyMs: 0,
    latencies: [],
    lockTimeoutMs: APP_LOCK_WAIT_LIMIT_MS,
  };
  const inserted = new Map(tables.map((t) => [t.name, 0]));
  let running = true;
  let rounds = 0;
  const waiting: { after: number; resolve: () => void }[] = [];
  const last = new Map<string, Record<string, unknown>>();
  const run = async (table: string, text: string, values: unknown[]) => {
    const started = performance.now();
    try {
      const result = await client.query(text, values);
      stats.ops++;
      return result.rows[0] as Record<string, unknown> | undefined;
    } catch (err) {
      if (stats.errors.length < 100) stats.errors.push(`${table}: ${(err as Error).message} (${text})`);
      return undefined;
    } finally {
      const ms = performance.now() - started;
      stats.maxLatencyMs = Math.max(stats.maxLatencyMs, ms);
    }
  };
  const loop = (async () => {
    while (running) {
      for (const t of tables) {
        if (!running) break;
        const row = await insert(t, o.counter.n++, last, run);
        if (row) {
          last.set(t.name, row);
          inserted.set(t.name, inserted.get(t.name)! + 1);
        }
        await update(t, o.counter.n++, run);
      }
      rounds++;
      // A pause between rounds: the event loop must turn even with no table to write.
      await sleep(5);
      for (const w of waiting.filter((w) => rounds > w.after)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve();
      }
    }
  })();
  const app: SchemaWriter = {
    stats,
    inserted,
    round: () => new Promise((resolve) => waiting.push({ after: rounds, resolve })),
    async stop() {
      running = false;
      await loop;
      for (const w of waiting) w.resolve();
      await client.end().catch(() => undefined);
      return stats;
    },
  };
  track(app);
  return app;
}

type Run = (table: string, text: string, values: unknown[]) => Promise<Record<string, unknown> | undefined>;

async function insert(t: Table, n: number, last: Map<string, Record<string, unknown>>, run: Run) {
  const names: string[] = [];
  const values: unknown[] = [];
  for (const r of t.references) {
    const row = last.get(r.references.table);
    if (!row) return undefined;
    r.columns.forEach((c, i) => {
      names.push(c);
      values.push(row[r.references.columns[i]!]);
    });
  }
  for (const c of t.columns) {
    if (c.automatic || names.includes(c.name)) continue;
    const v = value(c, n);
    if (v === undefined) continue;
    names.push(c.name);
    values.push(v);
  }
  const list = names.map(quoteIdent).join(', ');
  const params = values.map((_, i) => `$${i + 1}`).join(', ');
  return run(t.name, `INSERT INTO ${quoteIdent(t.name)} (${list}) VALUES (${params}) RETURNING *`, values);
}

async function update(t: Table, n: number, run: Run) {
  const set = t.columns.filter((c) => !c.key && !c.automatic && value(c, n) !== undefined);
  if (set.length === 0) return;
  const key = t.primaryKey.length > 0 ? t.primaryKey.map(quoteIdent).join(', ') : 'ctid';
  const table = quoteIdent(t.name);
  const assignments = set.map((c, i) => `${quoteIdent(c.name)} = $${i + 1}`).join(', ');
  await run(
    t.name,
    `UPDATE ${table} SET ${assignments} WHERE (${key}) = (SELECT ${key} FROM ${table} ORDER BY ${key} DESC LIMIT 1 OFFSET floor(random() * 5)::int)`,
    set.map((c) => value(c, n)),
  );
}

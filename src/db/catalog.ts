import type pg from 'pg';
import type { Volatility } from '../sql/expression.js';
import { tableKey, type Catalog, type NameRef } from './catalog-model.js';
import { readTables } from './catalog-tables.js';
import { readTypeFacts, readTypes } from './catalog-types.js';
import { quoteIdent } from './quote.js';

export * from './catalog-model.js';

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** What a migration references: tables, enums, indexes, functions and types, as written. */
export interface CatalogRefs {
  tables: NameRef[];
  enums?: NameRef[];
  indexes?: NameRef[];
  functions?: string[];
  /** Tables whose inbound foreign keys' tables are wanted too (changeColumnType changes them along). */
  referencing?: NameRef[];
  types?: string[];
}

/**
 * Reads the catalog for the given table, enum and index references. Unqualified names are resolved
 * through the connection's search_path, exactly as the application's queries would resolve them.
 * References that do not exist are simply absent (the planner reports them with file and path).
 */
export async function readCatalog(client: Queryable, refs: CatalogRefs): Promise<Catalog> {
  const catalog = await emptyCatalog(client);
  for (const table of await readTables(client, await tableOids(client, refs))) {
    catalog.tables.set(tableKey(table), table);
  }
  await resolveTableNames(client, catalog, refs.tables);
  await readEnums(client, catalog, refs.enums ?? []);
  await readIndexes(client, catalog, refs.indexes ?? []);
  catalog.functions = await readVolatility(client, refs.functions ?? []);
  catalog.types = await readTypes(client, refs.types ?? []);
  catalog.typeFacts = await readTypeFacts(client, [
    ...[...catalog.types.values()].map((t) => t.oid),
    ...[...catalog.tables.values()].flatMap((t) => t.columns.map((c) => c.typeOid)),
  ]);
  return catalog;
}

async function emptyCatalog(client: Queryable): Promise<Catalog> {
  const head = await client.query<{ v: string; s: string | null }>(
    `SELECT current_setting('server_version_num') AS v, (current_schemas(false))[1] AS s`,
  );
  return {
    serverVersionNum: Number(head.rows[0]!.v),
    defaultSchema: head.rows[0]!.s ?? 'public',
    tables: new Map(),
    resolved: new Map(),
    enums: new Map(),
    indexes: new Map(),
  };
}

/** The referenced tables that exist, and the tables whose foreign keys reference `refs.referencing`. */
async function tableOids(client: Queryable, refs: CatalogRefs): Promise<number[]> {
  const oids: number[] = [];
  for (const ref of refs.tables) {
    const { rows } = await client.query<{ oid: number | null }>(`SELECT to_regclass($1)::oid AS oid`, [
      regclassText(ref),
    ]);
    const oid = rows[0]?.oid;
    if (oid) oids.push(Number(oid));
  }
  for (const ref of refs.referencing ?? []) {
    const { rows } = await client.query<{ oid: number }>(
      `SELECT DISTINCT conrelid::int AS oid FROM pg_constraint WHERE contype = 'f' AND confrelid = to_regclass($1)`,
      [regclassText(ref)],
    );
    oids.push(...rows.map((r) => Number(r.oid)));
  }
  return [...new Set(oids)];
}

/** Unqualified table names as the search_path resolves them. */
async function resolveTableNames(client: Queryable, catalog: Catalog, refs: NameRef[]): Promise<void> {
  for (const ref of refs) {
    if (ref.schema !== undefined) continue;
    const { rows } = await client.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [regclassText(ref)],
    );
    if (rows[0]) catalog.resolved.set(ref.name, rows[0]);
  }
}

async function readEnums(client: Queryable, catalog: Catalog, refs: NameRef[]): Promise<void> {
  for (const ref of refs) {
    const { rows } = await client.query<{ schema: string; name: string; labels: string[] }>(
      `SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.oid = to_regtype($1) GROUP BY 1, 2`,
      [regclassText(ref)],
    );
    const row = rows[0];
    if (row) {
      catalog.enums.set(tableKey(row), row);
      if (ref.schema === undefined) catalog.resolved.set(`type:${ref.name}`, { schema: row.schema, name: row.name });
    }
  }
}

/** Indexes by name, each with its table (so a planner can name it and target its schema). */
async function readIndexes(client: Queryable, catalog: Catalog, refs: NameRef[]): Promise<void> {
  for (const ref of refs) {
    const { rows } = await client.query<{ oid: number; table_oid: number }>(
      `SELECT i.indexrelid::int AS oid, i.indrelid::int AS table_oid FROM pg_index i
        WHERE i.indexrelid = to_regclass($1)`,
      [regclassText(ref)],
    );
    const row = rows[0];
    if (!row) continue;
    const [table] = await readTables(client, [row.table_oid]);
    const index = table?.indexes.find(
      (ix) => ix.name === ref.name || `${ix.schema}.${ix.name}` === `${ref.schema}.${ref.name}`,
    );
    if (table && index) {
      catalog.tables.set(tableKey(table), table);
      catalog.indexes.set(tableKey({ schema: index.schema, name: index.name }), {
        ...index,
        table: { schema: table.schema, name: table.name },
      });
      if (ref.schema === undefined)
        catalog.resolved.set(`index:${ref.name}`, { schema: index.schema, name: index.name });
    }
  }
}

/** Functions resolve like the application's queries: a qualified name in its schema, else through the search_path. */
async function readVolatility(client: Queryable, names: string[]): Promise<Map<string, Volatility>> {
  const out = new Map<string, Volatility>();
  for (const name of new Set(names)) {
    const parts = name.split('.');
    const [schema, proname] = parts.length === 2 ? parts : [null, parts[0]];
    const { rows } = await client.query<{ v: Volatility | null }>(
      `SELECT max(p.provolatile::text) AS v FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname = $1
          AND (CASE WHEN $2::text IS NULL THEN n.nspname = ANY (current_schemas(true)) ELSE n.nspname = $2 END)`,
      [proname, schema],
    );
    if (rows[0]?.v) out.set(name, rows[0].v);
  }
  return out;
}

function regclassText(ref: NameRef): string {
  return ref.schema === undefined ? quoteIdent(ref.name) : `${quoteIdent(ref.schema)}.${quoteIdent(ref.name)}`;
}

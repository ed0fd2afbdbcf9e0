/**
 * What the linter may know about the live schema. Without a catalog the rules are conservative (as
 * squawk is); with one they are precise: the column's current type, whether a table is empty,
 * whether an FK column has an index, whether a validated `CHECK (c IS NOT NULL)` exists.
 * Lookups are synchronous: createLiveCatalog reads everything it needs up front, so rules stay pure.
 */
import type pg from 'pg';
import type { Node } from 'libpg-query';
import { as } from './ast.js';
import { keyOf, type QualifiedName } from './names.js';
import { loadParser, parseSql as parseSync } from '../sql/parser.js';
import { notNullColumnsOfCheck } from './exprs.js';
import type { Volatility } from './volatility.js';

export type { Volatility };

export interface CatalogColumn {
  name: string;
  /** format_type() output: `character varying(100)`, `integer`, `timestamp without time zone`. */
  type: string;
  /** pg_type.typname of the column's type (`varchar`, `int4`, or a domain's name). */
  typeName: string;
  /** atttypmod (-1 when none). */
  typmod: number;
  notNull: boolean;
}

export interface CatalogIndex {
  name: string;
  /** Key columns in order; null for an expression. */
  columns: (string | null)[];
  unique: boolean;
  valid: boolean;
}

export interface CatalogCheck {
  name: string;
  validated: boolean;
  /** Columns this check proves NOT NULL (`CHECK (c IS NOT NULL)`, possibly AND-ed). */
  notNullColumns: string[];
  /** Columns the check reads (pg_constraint.conkey). */
  columns: string[];
}

export interface CatalogTable {
  name: QualifiedName;
  kind: 'table' | 'partitioned-table' | 'matview' | 'view' | 'foreign-table';
  /** True when the table has no data at all (pg_relation_size = 0): no rows to scan or rewrite. */
  empty: boolean;
  columns: ReadonlyMap<string, CatalogColumn>;
  indexes: readonly CatalogIndex[];
  checks: readonly CatalogCheck[];
}

export interface LintCatalog {
  /** server_version_num of the server the catalog was read from. */
  serverVersionNum?: number;
  /** The server's TimeZone setting (timestamp → timestamptz is rewrite-free only in UTC). */
  timeZone?: string;
  table(name: QualifiedName): CatalogTable | undefined;
  /** The table an index belongs to. */
  indexTable(name: QualifiedName): QualifiedName | undefined;
  /** A domain, and whether it has CHECK or NOT NULL constraints. */
  domain(name: QualifiedName): { constrained: boolean } | undefined;
  /** Volatility of a function by name (volatile if any overload is); undefined when unknown. */
  volatility?(name: string): Volatility | undefined;
}

/** Builds an in-memory catalog (tests, zdm plan's introspected schema). */
export function staticCatalog(input: {
  serverVersionNum?: number;
  timeZone?: string;
  tables?: CatalogTable[];
  indexes?: { name: QualifiedName; table: QualifiedName }[];
  domains?: { name: QualifiedName; constrained: boolean }[];
  functions?: Record<string, Volatility>;
}): LintCatalog {
  const tables = new Map((input.tables ?? []).map((t) => [keyOf(t.name), t]));
  const indexes = new Map((input.indexes ?? []).map((i) => [keyOf(i.name), i.table]));
  const domains = new Map((input.domains ?? []).map((d) => [keyOf(d.name), { constrained: d.constrained }]));
  const functions = new Map(Object.entries(input.functions ?? {}));
  return {
    serverVersionNum: input.serverVersionNum,
    timeZone: input.timeZone,
    table: (q) => tables.get(keyOf(q)),
    indexTable: (q) => indexes.get(keyOf(q)),
    domain: (q) => domains.get(keyOf(q)),
    volatility: (name) => functions.get(name),
  };
}

const KINDS: Record<string, CatalogTable['kind']> = {
  r: 'table',
  p: 'partitioned-table',
  m: 'matview',
  v: 'view',
  f: 'foreign-table',
};

/** Relations of user schemas (not pg_catalog, information_schema, toast or temp schemas). */
const USER_REL =
  `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE ` +
  `'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

const SETTINGS_SQL = `SELECT current_setting('server_version_num') AS v, current_setting('TimeZone') AS tz`;

const RELS_SQL = `
    SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
           (c.relkind IN ('r', 'm') AND pg_relation_size(c.oid) = 0) AS empty
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm', 'v', 'f') AND ${USER_REL}`;

const COLUMNS_SQL = `
    SELECT a.attrelid::int AS rel, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typname,
           a.atttypmod AS typmod, a.attnotnull AS notnull
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm', 'v', 'f') AND ${USER_REL}`;

const INDEXES_SQL = `
    SELECT i.indrelid::int AS rel, n.nspname AS schema, ic.relname AS name, i.indisunique AS unique,
           i.indisvalid AS valid,
           ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                 LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
                 WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS cols
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE ${USER_REL}`;

const CHECKS_SQL = `
    SELECT con.conrelid::int AS rel, con.conname AS name, con.convalidated AS validated,
           pg_get_constraintdef(con.oid) AS def,
           ARRAY(SELECT a.attname::text FROM pg_attribute a
                  WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)) AS cols
    FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
    WHERE con.contype = 'c' AND con.conrelid <> 0 AND ${USER_REL}`;

const DOMAINS_SQL = `
    SELECT n.nspname AS schema, t.typname AS name,
           (t.typnotnull OR EXISTS (SELECT 1 FROM pg_constraint c WHERE c.contypid = t.oid)) AS constrained
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typtype = 'd' AND ${USER_REL}`;

const FUNCTIONS_SQL = `
    SELECT p.proname AS name, string_agg(DISTINCT p.provolatile::text, '') AS vols FROM pg_proc p GROUP BY p.proname`;

interface LiveRows {
  settings: { v: string; tz: string } | undefined;
  rels: { oid: number; schema: string; name: string; kind: string; empty: boolean }[];
  cols: { rel: number; name: string; type: string; typname: string; typmod: number; notnull: boolean }[];
  idx: { rel: number; schema: string; name: string; unique: boolean; valid: boolean; cols: (string | null)[] }[];
  checks: { rel: number; name: string; validated: boolean; def: string; cols: string[] }[];
  domains: { schema: string; name: string; constrained: boolean }[];
  funcs: { name: string; vols: string }[];
}

async function readLiveRows(pool: pg.Pool): Promise<LiveRows> {
  const q = async <R extends pg.QueryResultRow>(sql: string) => (await pool.query<R>(sql)).rows;
  const [settings] = await q<NonNullable<LiveRows['settings']>>(SETTINGS_SQL);
  const rels = await q<LiveRows['rels'][number]>(RELS_SQL);
  const cols = await q<LiveRows['cols'][number]>(COLUMNS_SQL);
  const idx = await q<LiveRows['idx'][number]>(INDEXES_SQL);
  const checks = await q<LiveRows['checks'][number]>(CHECKS_SQL);
  const domains = await q<LiveRows['domains'][number]>(DOMAINS_SQL);
  const funcs = await q<LiveRows['funcs'][number]>(FUNCTIONS_SQL);
  return { settings, rels, cols, idx, checks, domains, funcs };
}

type MutableTable = CatalogTable & {
  columns: Map<string, CatalogColumn>;
  indexes: CatalogIndex[];
  checks: CatalogCheck[];
};

/** The tables with their columns, indexes and checks, and each index's table. */
function assembleTables(rows: LiveRows): {
  tables: Map<string, CatalogTable>;
  indexTables: Map<string, QualifiedName>;
} {
  const byOid = new Map<number, MutableTable>();
  const tables = new Map<string, CatalogTable>();
  for (const r of rows.rels) {
    const table = {
      name: { schema: r.schema, name: r.name },
      kind: KINDS[r.kind] ?? 'table',
      empty: r.empty,
      columns: new Map(),
      indexes: [],
      checks: [],
    };
    byOid.set(r.oid, table);
    tables.set(keyOf(table.name), table);
  }
  for (const c of rows.cols)
    byOid
      .get(c.rel)
      ?.columns.set(c.name, { name: c.name, type: c.type, typeName: c.typname, typmod: c.typmod, notNull: c.notnull });
  const indexTables = new Map<string, QualifiedName>();
  for (const i of rows.idx) {
    const table = byOid.get(i.rel);
    if (!table) continue;
    table.indexes.push({ name: i.name, columns: i.cols, unique: i.unique, valid: i.valid });
    indexTables.set(keyOf({ schema: i.schema, name: i.name }), table.name);
  }
  for (const c of rows.checks)
    byOid.get(c.rel)?.checks.push({
      name: c.name,
      validated: c.validated,
      notNullColumns: notNullColumnsOfDef(c.def),
      columns: c.cols,
    });
  return { tables, indexTables };
}

/** Reads the live catalog once (user schemas only). */
export async function createLiveCatalog(pool: pg.Pool): Promise<LintCatalog> {
  await loadParser();
  const rows = await readLiveRows(pool);
  const { tables, indexTables } = assembleTables(rows);
  const domainMap = new Map(
    rows.domains.map((d) => [keyOf({ schema: d.schema, name: d.name }), { constrained: d.constrained }]),
  );
  const vol = new Map<string, Volatility>(
    rows.funcs.map((f) => [f.name, f.vols.includes('v') ? 'v' : f.vols.includes('s') ? 's' : 'i']),
  );
  return {
    serverVersionNum: Number(rows.settings?.v),
    timeZone: rows.settings?.tz,
    table: (name) => tables.get(keyOf(name)),
    indexTable: (name) => indexTables.get(keyOf(name)),
    domain: (name) => domainMap.get(keyOf(name)),
    volatility: (name) => vol.get(name),
  };
}

/** `CHECK ((email IS NOT NULL))` → ['email'], read with the real parser (as an ALTER TABLE ... ADD). */
function notNullColumnsOfDef(def: string): string[] {
  try {
    const tree = parseSync(`ALTER TABLE t ADD ${def}`) as { stmts?: { stmt?: Node }[] };
    const alter = as<{ cmds?: Node[] }>(tree.stmts?.[0]?.stmt, 'AlterTableStmt');
    const cmd = as<{ def?: Node }>(alter?.cmds?.[0], 'AlterTableCmd');
    return notNullColumnsOfCheck(as<{ raw_expr?: Node }>(cmd?.def, 'Constraint')?.raw_expr);
  } catch {
    return [];
  }
}

import type pg from 'pg';
import type { Volatility } from '../sql/expression.js';
import { readTypeFacts, readTypes, type TypeFacts, type TypeInfo } from './catalog-types.js';
import { readDependents, type ColumnDependent, type Queryable } from './dependents.js';
import { readPartitioning, type Partitioning } from './partitions.js';
import { parseObjectName, quoteIdent, spelledObjectName, type QualifiedName } from './quote.js';

export type { Partitioning, PartitionInfo } from './partitions.js';
export type { ColumnDependent, DependentView } from './dependents.js';

/**
 * A snapshot of what the planner needs to know about the tables a migration touches, read from
 * pg_catalog in a few queries. Planning is a pure function of this snapshot and the migration.
 */
export interface Catalog {
  serverVersionNum: number;
  /** The schema unqualified names resolve to when they do not exist yet (first of search_path). */
  defaultSchema: string;
  tables: Map<string, TableInfo>;
  /** Unqualified table names as the server's search_path resolves them: `users` -> `public.users`. */
  resolved: Map<string, QualifiedName>;
  enums: Map<string, EnumInfo>;
  /** Indexes looked up by qualified name (for dropIndex). */
  indexes: Map<string, IndexInfo & { table: QualifiedName }>;
  /**
   * Volatility of the functions user expressions call (defaults, `up`), by the name as written
   * (`gen_random_uuid`, `pg_catalog.now`): the most volatile overload. Absent names are unknown.
   */
  functions?: Map<string, Volatility>;
  /** Types named in the migration (column types), by the text as written; a name that does not resolve is absent. */
  types?: Map<string, TypeInfo>;
  /** Foreign-key facts of those types and of every column type of the tables read. */
  typeFacts?: Map<number, TypeFacts>;
}

export interface ColumnInfo {
  name: string;
  attnum: number;
  /** format_type(atttypid, atttypmod): `character varying(50)`, `bigint`, `public.status`. */
  type: string;
  typeOid: number;
  notNull: boolean;
  /** pg_get_expr of the default, e.g. `'legacy'::character varying` or `nextval('users_id_seq'::regclass)`. */
  default: string | null;
  /** 'a' GENERATED ALWAYS AS IDENTITY, 'd' BY DEFAULT, '' none. */
  identity: '' | 'a' | 'd';
  /** 's' stored generated column, 'v' virtual (PG18), '' none. */
  generated: '' | 's' | 'v';
  /** Collation when it differs from the type's default, qualified: `pg_catalog."C"`. */
  collation: string | null;
  comment: string | null;
  /** Sequence owned by this column (serial/identity), qualified. */
  ownedSequence: QualifiedName | null;
  /** Parameters of ownedSequence (pg_sequence), for operations that move or retype it. */
  sequence?: SequenceInfo | null;
  /** Column privileges (aclexplode of attacl) granted to roles other than the table's owner. */
  grants?: TableGrant[];
}

/** pg_sequence of a serial or identity sequence; numbers as text (they are int8). */
export interface SequenceInfo {
  /** `integer`, `bigint`, `smallint` */
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}

/** A privilege on a table granted to someone other than its owner (aclexplode of relacl). */
export interface TableGrant {
  /** Role name, or `PUBLIC`. */
  grantee: string;
  privilege: string;
  grantable: boolean;
}

export interface IndexInfo {
  name: string;
  schema: string;
  /** pg_get_indexdef(): `CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)`. */
  definition: string;
  unique: boolean;
  primary: boolean;
  valid: boolean;
  /** Names of the table columns the index uses (key columns, expressions, predicate). */
  columns: string[];
  /** The constraint this index implements (unique, primary key, exclusion), if any. */
  constraint: string | null;
  /**
   * Key columns in index order when the index orders rows exactly as the columns' own `<` and
   * ORDER BY do (btree, plain columns, default operator classes and collations, no predicate, no
   * expression), so a unique one on NOT NULL columns can order a keyset walk; absent otherwise.
   */
  keyColumns?: string[];
}

export interface ConstraintInfo {
  name: string;
  /** c check, f foreign key, p primary key, u unique, x exclusion, t trigger, n not-null (PG18). */
  type: 'c' | 'f' | 'p' | 'u' | 'x' | 't' | 'n';
  /** pg_get_constraintdef(): `CHECK ((amount > 0))`, `FOREIGN KEY (user_id) REFERENCES users(id)`. */
  definition: string;
  validated: boolean;
  columns: string[];
  /** For foreign keys: the referenced table and columns. */
  references: { table: QualifiedName; columns: string[] } | null;
  index: string | null;
}

/** A foreign key on another table that references this one. */
export interface InboundForeignKey {
  name: string;
  table: QualifiedName;
  columns: string[];
  referencedColumns: string[];
  definition: string;
  validated: boolean;
}

export interface TriggerInfo {
  name: string;
  definition: string;
  enabled: boolean;
}

export interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  /** 'r' table, 'p' partitioned table, 'v' view, 'm' materialized view, 'f' foreign table. */
  relkind: string;
  /** pg_class.reltuples; 0 when the table was never analyzed and has no pages. */
  estimatedRows: number;
  sizeBytes: number;
  columns: ColumnInfo[];
  primaryKey: { name: string; columns: string[] } | null;
  indexes: IndexInfo[];
  constraints: ConstraintInfo[];
  referencedBy: InboundForeignKey[];
  dependents: ColumnDependent[];
  triggers: TriggerInfo[];
  /** Privileges granted on the table to roles other than its owner. */
  grants?: TableGrant[];
  /** COMMENT ON TABLE (obj_description); undefined where not read (tables a migration declares). */
  comment?: string | null;
  /** pg_class.relreplident: d default (primary key), n nothing, f full, i an index (replicaIdentityIndex). */
  replicaIdentity?: 'd' | 'n' | 'f' | 'i';
  /** The index of REPLICA IDENTITY USING INDEX (pg_index.indisreplident). */
  replicaIdentityIndex?: string | null;
  /** A partitioned table's (relkind 'p') key and partitions; absent for any other table. */
  partitioning?: Partitioning;
}

export interface EnumInfo {
  schema: string;
  name: string;
  labels: string[];
}

export function tableKey(q: QualifiedName): string {
  return `${q.schema}.${q.name}`;
}

/**
 * The index or type a name in a migration file means, in `found` (catalog.indexes or .enums): the
 * one spelled exactly (case-sensitive) when it exists, else the SQL reading, as for tables. `ref`
 * is the SQL reading, for messages when neither exists.
 */
export function lookupNamed<T>(
  catalog: Catalog,
  kind: 'index' | 'type',
  input: string,
  found: Map<string, T>,
): { ref: NameRef; value?: T } {
  const sql = parseObjectName(input);
  const spelled = spelledObjectName(input);
  for (const ref of spelled ? [spelled, sql] : [sql]) {
    const q =
      ref.schema !== undefined ? { schema: ref.schema, name: ref.name } : catalog.resolved.get(`${kind}:${ref.name}`);
    const value = q && found.get(tableKey(q));
    if (value) return { ref, value };
  }
  return { ref: sql };
}

/** A reference as written in a migration: the schema is absent when the file did not give one. */
export interface NameRef {
  schema?: string;
  name: string;
}

/**
 * Reads the catalog for the given table, enum and index references. Unqualified names are resolved
 * through the connection's search_path, exactly as the application's queries would resolve them.
 * References that do not exist are simply absent (the planner reports them with file and path).
 */
export async function readCatalog(
  client: pg.Pool | pg.PoolClient | pg.Client,
  refs: {
    tables: NameRef[];
    enums?: NameRef[];
    indexes?: NameRef[];
    functions?: string[];
    referencing?: NameRef[];
    types?: string[];
  },
): Promise<Catalog> {
  const head = await client.query<{ v: string; s: string | null }>(
    `SELECT current_setting('server_version_num') AS v, (current_schemas(false))[1] AS s`,
  );
  const catalog: Catalog = {
    serverVersionNum: Number(head.rows[0]!.v),
    defaultSchema: head.rows[0]!.s ?? 'public',
    tables: new Map(),
    resolved: new Map(),
    enums: new Map(),
    indexes: new Map(),
  };
  const oids: number[] = [];
  for (const ref of refs.tables) {
    const { rows } = await client.query<{ oid: number | null }>(`SELECT to_regclass($1)::oid AS oid`, [
      regclassText(ref),
    ]);
    const oid = rows[0]?.oid;
    if (oid) oids.push(Number(oid));
  }
  // Tables whose inbound foreign keys' tables are wanted too (changeColumnType changes them along).
  for (const ref of refs.referencing ?? []) {
    const { rows } = await client.query<{ oid: number }>(
      `SELECT DISTINCT conrelid::int AS oid FROM pg_constraint WHERE contype = 'f' AND confrelid = to_regclass($1)`,
      [regclassText(ref)],
    );
    oids.push(...rows.map((r) => Number(r.oid)));
  }
  for (const table of await readTables(client, [...new Set(oids)])) {
    catalog.tables.set(tableKey(table), table);
  }
  for (const ref of refs.tables) {
    if (ref.schema !== undefined) continue;
    const { rows } = await client.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass($1)`,
      [regclassText(ref)],
    );
    if (rows[0]) catalog.resolved.set(ref.name, rows[0]);
  }
  for (const ref of refs.enums ?? []) {
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
  for (const ref of refs.indexes ?? []) {
    const { rows } = await client.query<{ oid: number; table_oid: number }>(
      `SELECT i.indexrelid::int AS oid, i.indrelid::int AS table_oid FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
      [regclassText(ref)],
    );
    const row = rows[0];
    if (!row) continue;
    const [table] = await readTables(client, [row.table_oid]);
    const index = table?.indexes.find(
      (ix) => ix.name === ref.name || `${ix.schema}.${ix.name}` === `${ref.schema}.${ref.name}`,
    );
    if (table && index) {
      // The index's table too, so a planner can name it and target its schema.
      catalog.tables.set(tableKey(table), table);
      catalog.indexes.set(tableKey({ schema: index.schema, name: index.name }), {
        ...index,
        table: { schema: table.schema, name: table.name },
      });
      if (ref.schema === undefined)
        catalog.resolved.set(`index:${ref.name}`, { schema: index.schema, name: index.name });
    }
  }
  catalog.functions = await readVolatility(client, refs.functions ?? []);
  catalog.types = await readTypes(client, refs.types ?? []);
  catalog.typeFacts = await readTypeFacts(client, [
    ...[...catalog.types.values()].map((t) => t.oid),
    ...[...catalog.tables.values()].flatMap((t) => t.columns.map((c) => c.typeOid)),
  ]);
  return catalog;
}

/** Functions resolve like the application's queries: a qualified name in its schema, else through the search_path. */
async function readVolatility(client: Queryable, names: string[]): Promise<Map<string, Volatility>> {
  const out = new Map<string, Volatility>();
  for (const name of new Set(names)) {
    const parts = name.split('.');
    const [schema, proname] = parts.length === 2 ? parts : [null, parts[0]];
    const { rows } = await client.query<{ v: Volatility | null }>(
      `SELECT max(p.provolatile::text) AS v FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proname = $1 AND (CASE WHEN $2::text IS NULL THEN n.nspname = ANY (current_schemas(true)) ELSE n.nspname = $2 END)`,
      [proname, schema],
    );
    if (rows[0]?.v) out.set(name, rows[0].v);
  }
  return out;
}

function regclassText(ref: NameRef): string {
  return ref.schema === undefined ? quoteIdent(ref.name) : `${quoteIdent(ref.schema)}.${quoteIdent(ref.name)}`;
}

async function readTables(client: Queryable, oids: number[]): Promise<TableInfo[]> {
  if (oids.length === 0) return [];
  const tables = await client.query<{
    oid: number;
    schema: string;
    name: string;
    relkind: string;
    reltuples: number;
    size: string;
    comment: string | null;
    replica_identity: TableInfo['replicaIdentity'];
    replica_index: string | null;
  }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
            GREATEST(c.reltuples, 0)::float8 AS reltuples, pg_table_size(c.oid) AS size,
            obj_description(c.oid, 'pg_class') AS comment, c.relreplident::text AS replica_identity,
            (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
              WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_index
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1::oid[])`,
    [oids],
  );
  const columns = await client.query<
    ColumnInfo & { table_oid: number; seq_schema: string | null; seq_name: string | null; seq: SequenceInfo | null }
  >(
    `SELECT a.attrelid::int AS table_oid, a.attname AS name, a.attnum::int AS attnum,
            format_type(a.atttypid, a.atttypmod) AS type, a.atttypid::int AS "typeOid", a.attnotnull AS "notNull",
            pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity, a.attgenerated::text AS generated,
            CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
                 THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END AS collation,
            col_description(a.attrelid, a.attnum) AS comment,
            sn.nspname AS seq_schema, s.relname AS seq_name,
            CASE WHEN ps.seqrelid IS NOT NULL THEN json_build_object('type', format_type(ps.seqtypid, NULL), 'start', ps.seqstart::text,
                 'increment', ps.seqincrement::text, 'min', ps.seqmin::text, 'max', ps.seqmax::text, 'cache', ps.seqcache::text, 'cycle', ps.seqcycle) END AS seq
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
       LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
       LEFT JOIN pg_depend dep ON dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
                              AND dep.classid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
                              AND EXISTS (SELECT 1 FROM pg_class sq WHERE sq.oid = dep.objid AND sq.relkind = 'S')
       LEFT JOIN pg_class s ON s.oid = dep.objid
       LEFT JOIN pg_namespace sn ON sn.oid = s.relnamespace
       LEFT JOIN pg_sequence ps ON ps.seqrelid = s.oid
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  const indexes = await client.query<IndexInfo & { table_oid: number }>(
    `SELECT i.indrelid::int AS table_oid, ic.relname AS name, n.nspname AS schema, pg_get_indexdef(i.indexrelid) AS definition,
            i.indisunique AS unique, i.indisprimary AS primary, i.indisvalid AS valid,
            -- Key and INCLUDE columns (indkey), plus columns of expressions and predicates (pg_depend
            -- of the index, or of its constraint for constraint-backed indexes, whose own pg_depend
            -- rows point at the constraint instead of the columns).
            ARRAY(SELECT DISTINCT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = i.indrelid AND a.attnum > 0 AND NOT a.attisdropped
                     AND (a.attnum = ANY (i.indkey::int2[])
                          OR a.attnum IN (SELECT d.refobjsubid FROM pg_depend d
                                           WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid
                                             AND ((d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid)
                                               OR (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE conindid = i.indexrelid AND conrelid = i.indrelid)))))
                   ORDER BY 1) AS columns,
            con.conname AS constraint,
            -- indkey/indclass/indcollation are 0-based vectors; the first indnkeyatts are the keys.
            CASE WHEN i.indpred IS NULL AND am.amname = 'btree' AND NOT EXISTS (
                   SELECT 1 FROM generate_series(0, i.indnkeyatts - 1) k
                     LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k]
                     LEFT JOIN pg_opclass oc ON oc.oid = i.indclass[k]
                    WHERE a.attnum IS NULL OR NOT oc.opcdefault OR i.indcollation[k] <> a.attcollation)
                 THEN ARRAY(SELECT a.attname::text FROM generate_series(0, i.indnkeyatts - 1) k
                             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k] ORDER BY k)
            END AS "keyColumns"
       FROM pg_index i
       JOIN pg_am am ON am.oid = (SELECT relam FROM pg_class WHERE oid = i.indexrelid)
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_namespace n ON n.oid = ic.relnamespace
       LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
      WHERE i.indrelid = ANY($1::oid[])
      ORDER BY ic.relname`,
    [oids],
  );
  const constraints = await client.query<
    ConstraintInfo & {
      table_oid: number;
      ref_schema: string | null;
      ref_name: string | null;
      ref_columns: string[] | null;
    }
  >(
    `SELECT c.conrelid::int AS table_oid, c.conname AS name, c.contype::text AS type, pg_get_constraintdef(c.oid) AS definition,
            c.convalidated AS validated,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            rn.nspname AS ref_schema, rc.relname AS ref_name,
            CASE WHEN c.contype = 'f' THEN ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) END AS ref_columns,
            ci.relname AS index
       FROM pg_constraint c
       LEFT JOIN pg_class rc ON rc.oid = c.confrelid
       LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
       LEFT JOIN pg_class ci ON ci.oid = c.conindid
      WHERE c.conrelid = ANY($1::oid[])
      ORDER BY c.conname`,
    [oids],
  );
  const inbound = await client.query<InboundForeignKey & { ref_oid: number; schema: string; tname: string }>(
    `SELECT c.confrelid::int AS ref_oid, c.conname AS name, n.nspname AS schema, t.relname AS tname,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "referencedColumns",
            pg_get_constraintdef(c.oid) AS definition, c.convalidated AS validated
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.contype = 'f' AND c.confrelid = ANY($1::oid[])
      ORDER BY c.conname`,
    [oids],
  );
  const dependents = await readDependents(client, oids);
  const grants = await client.query<TableGrant & { table_oid: number }>(
    `SELECT c.oid::int AS table_oid, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END AS grantee,
            a.privilege_type AS privilege, a.is_grantable AS grantable
       FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.oid = ANY($1::oid[]) AND a.grantee <> c.relowner
      ORDER BY 2, 3`,
    [oids],
  );
  const columnGrants = await client.query<TableGrant & { table_oid: number; column: string }>(
    `SELECT a.attrelid::int AS table_oid, a.attname AS column,
            CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END AS grantee,
            x.privilege_type AS privilege, x.is_grantable AS grantable
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid, aclexplode(a.attacl) x
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND x.grantee <> c.relowner
      ORDER BY 3, 4`,
    [oids],
  );
  const triggers = await client.query<TriggerInfo & { table_oid: number }>(
    `SELECT tgrelid::int AS table_oid, tgname AS name, pg_get_triggerdef(oid) AS definition, tgenabled <> 'D' AS enabled
       FROM pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal ORDER BY tgname`,
    [oids],
  );
  const partitioning = await readPartitioning(
    client,
    tables.rows.filter((t) => t.relkind === 'p').map((t) => t.oid),
  );

  return tables.rows.map((t) => {
    const tableColumns = columns.rows
      .filter((c) => c.table_oid === t.oid)
      .map(({ table_oid: _t, seq_schema, seq_name, seq, ...c }) => ({
        ...c,
        sequence: seq,
        identity: c.identity as ColumnInfo['identity'],
        generated: c.generated as ColumnInfo['generated'],
        ownedSequence: seq_schema && seq_name ? { schema: seq_schema, name: seq_name } : null,
        grants: columnGrants.rows
          .filter((g) => g.table_oid === t.oid && g.column === c.name)
          .map(({ grantee, privilege, grantable }) => ({ grantee, privilege, grantable })),
      }));
    const tableConstraints = constraints.rows
      .filter((c) => c.table_oid === t.oid)
      .map(({ table_oid: _t, ref_schema, ref_name, ref_columns, ...c }) => ({
        ...c,
        references:
          ref_schema && ref_name ? { table: { schema: ref_schema, name: ref_name }, columns: ref_columns ?? [] } : null,
      }));
    const pk = tableConstraints.find((c) => c.type === 'p');
    return {
      oid: t.oid,
      schema: t.schema,
      name: t.name,
      relkind: t.relkind,
      estimatedRows: Math.round(t.reltuples),
      sizeBytes: Number(t.size),
      columns: tableColumns,
      primaryKey: pk ? { name: pk.name, columns: pk.columns } : null,
      indexes: indexes.rows
        .filter((i) => i.table_oid === t.oid)
        .map(({ table_oid: _t, keyColumns, ...i }) => (keyColumns ? { ...i, keyColumns } : i)),
      constraints: tableConstraints,
      referencedBy: inbound.rows
        .filter((f) => f.ref_oid === t.oid)
        .map(({ ref_oid: _r, schema, tname, ...f }) => ({ ...f, table: { schema, name: tname } })),
      dependents: dependents.filter((d) => d.table_oid === t.oid).map(({ table_oid: _t, ...d }) => d),
      triggers: triggers.rows.filter((tr) => tr.table_oid === t.oid).map(({ table_oid: _t, ...tr }) => tr),
      grants: grants.rows.filter((g) => g.table_oid === t.oid).map(({ table_oid: _t, ...g }) => g),
      comment: t.comment,
      replicaIdentity: t.replica_identity,
      replicaIdentityIndex: t.replica_index,
      ...(partitioning.has(t.oid) ? { partitioning: partitioning.get(t.oid)! } : {}),
    };
  });
}

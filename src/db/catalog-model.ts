import type { Volatility } from '../sql/expression.js';
import type { TypeFacts, TypeInfo } from './catalog-types.js';
import type { Partitioning } from './partitions.js';
import { parseObjectName, spelledObjectName, type QualifiedName } from './quote.js';

export type { Partitioning, PartitionInfo } from './partitions.js';

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

/** Something outside the table's own indexes and constraints that depends on a column. */
export interface ColumnDependent {
  column: string;
  kind:
    'view' | 'rule' | 'trigger' | 'policy' | 'generated column' | 'statistics' | 'function' | 'publication' | 'other';
  /**
   * view: `schema.name`; function: `schema.name(identity arguments)`; publication: its name;
   * other: pg_describe_object's text; trigger, policy, statistics, generated column: the bare name.
   */
  name: string;
  /**
   * The partition whose column it depends on, when that is a partition of the table (at any level)
   * rather than the table itself; absent for the table's own dependents.
   */
  on?: QualifiedName;
  /** For a view or materialized view: what recreating it on a renamed column needs. */
  view?: DependentView;
  /**
   * Planning only: a view a `sql` operation of the migration creates or replaces (the virtual schema,
   * plan/model/view-effects.ts), that operation (`operations[0] (sql)`); its definition is not read.
   */
  definedBy?: string;
  /**
   * Planning only: its definition is the one an earlier renameColumn of the migration gives it (the
   * virtual schema, plan/model/renamed-dependents.ts), not the catalog's.
   */
  renamed?: boolean;
  /** For a policy, trigger, SQL-standard function or publication: what rewriting it needs. */
  policy?: DependentPolicy;
  trigger?: DependentTrigger;
  function?: DependentFunction;
  publication?: DependentPublication;
}

/**
 * Something outside the table that DROP TABLE would need CASCADE for, read from pg_depend on the
 * table itself, its row type and the objects dropped with it (owned sequences, indexes...): a view
 * or rule reading the table as a whole, a function taking or returning its row type, another
 * table's column of that type, a default using its sequence, an inheriting table. Foreign keys
 * from other tables are referencedBy.
 */
export interface TableDependent {
  kind: 'view' | 'function' | 'other';
  /** pg_describe_object's text with every name qualified: `view public.c`, `column x of table public.t`. */
  description: string;
  /** view: `schema.name`; function: `schema.name(identity arguments)`; other: its relation's `schema.name`. */
  name: string;
  /** other: the column of that relation it is or belongs to (a column, its default), if any. */
  column: string | null;
  /**
   * other: whether that relation stores rows (a table, materialized view or composite type), so a
   * column of it typed with the table's row type holds values of it; not a view or foreign table.
   */
  storesRows: boolean;
}

/** A row-level-security policy (possibly on another table, naming the column in a subquery). */
export interface DependentPolicy {
  table: QualifiedName;
  name: string;
  /** pg_get_expr of USING / WITH CHECK, read with search_path = pg_catalog; null when absent. */
  using: string | null;
  withCheck: string | null;
}

/** A trigger whose WHEN clause or UPDATE OF list names the column. */
export interface DependentTrigger {
  table: QualifiedName;
  name: string;
  /** pg_get_triggerdef, read with search_path = pg_catalog. */
  definition: string;
  /**
   * Only in the virtual schema, after a renameColumn: the definition the trigger has during the
   * window (its UPDATE OF list widened to the new column at expand), where `definition` is the one
   * after contract. A later rename of the same migration widens and restores this one.
   */
  windowDefinition?: string;
  /** pg_trigger.tgenabled: O origin (enabled), D disabled, R replica, A always. */
  enabled: 'O' | 'D' | 'R' | 'A';
  comment: string | null;
  /** A constraint trigger (CREATE CONSTRAINT TRIGGER). */
  constraint: boolean;
}

/** A function with a SQL-standard body (BEGIN ATOMIC / RETURN), which pg_depend tracks. */
export interface DependentFunction {
  /** pg_get_functiondef, read with search_path = pg_catalog. */
  definition: string;
  /** Its parameters' names (proargnames; empty strings for unnamed ones). */
  argNames: string[];
}

/** A publication whose column list or row filter (PG 15+) names the column. */
export interface DependentPublication {
  name: string;
  /** The published columns in order, or null when it publishes all columns. */
  columns: string[] | null;
  /** pg_get_expr of the row filter (search_path = pg_catalog), or null. */
  rowFilter: string | null;
  /** It publishes UPDATE or DELETE (its columns must then cover the replica identity). */
  publishesChanges: boolean;
}

/**
 * A function pg_depend does not tie to the table's columns (PL/pgSQL, an SQL function without a
 * SQL-standard body, other languages) whose source names the table, that a trigger on the table
 * calls, or that takes or returns the table's row type (or an array of it).
 */
export interface UntrackedFunction {
  /** `schema.name(identity arguments)`. */
  name: string;
  language: string;
  source: string;
  /** Called by a trigger on the table (its NEW / OLD fields name the table's columns). */
  triggerFunction: boolean;
  /** Takes or returns the table's row type or an array of it (its fields name the table's columns). */
  rowType: boolean;
}

/** A view or materialized view that uses a column of the table. */
export interface DependentView {
  schema: string;
  name: string;
  /** 'v' view, 'm' materialized view. */
  relkind: 'v' | 'm';
  /** pg_get_viewdef read with search_path = pg_catalog, so every name in it is schema-qualified. */
  definition: string;
  /** The view's output column names, in order. */
  columns: string[];
  /** pg_class.reloptions: `security_barrier=true`, `check_option=cascaded`, `security_invoker=true`. */
  options: string[];
  /** What recreating it (DROP and CREATE, when a column type changes) must give back; undefined where not read. */
  identity?: ViewIdentity;
  /** A materialized view: false when it was created WITH NO DATA (never refreshed). */
  populated?: boolean;
  /** A materialized view: pg_class.reltuples (-1 or 0 when never analyzed). */
  estimatedRows?: number;
  /**
   * A plain view: the views and materialized views built on it, and on those, in an order they can
   * be created in; undefined when there are none or they were not read.
   */
  chain?: DependentView[];
}

/** What a DROP VIEW loses, for a view zdm drops and creates again. */
export interface ViewIdentity {
  owner: string;
  comment: string | null;
  /** Privileges on the view granted to roles other than its owner. */
  grants: TableGrant[];
  columnGrants: (TableGrant & { column: string })[];
  columnComments: { column: string; comment: string }[];
  /**
   * What DROP VIEW would need CASCADE for or would drop with it, named: views and other objects
   * built on it, its triggers, rules and column defaults, a materialized view's indexes.
   */
  dependents: string[];
  /** A materialized view's indexes (pg_get_indexdef), to build on the copy. */
  indexes: { name: string; definition: string }[];
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
  /** What depends on the table as a whole (see TableDependent); undefined where not read. */
  tableDependents?: TableDependent[];
  /** Functions pg_depend does not track that may name the table's columns; undefined where not read. */
  untrackedFunctions?: UntrackedFunction[];
  /**
   * What reads whole rows of the table (a row value, row_to_json(t), a trigger's WHEN (NEW IS DISTINCT
   * FROM OLD), a policy's f(t)), by pg_describe_object: `view public.v`, `trigger t on table public.t`.
   * Postgres keeps them working when columns come and go, but their output follows; undefined where not read.
   */
  wholeRowReaders?: string[];
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
  /**
   * Extended statistics objects (CREATE STATISTICS) on the table, and on its partitions (their
   * definition names the partition); undefined where not read.
   */
  statistics?: StatisticsInfo[];
  /** A partitioned table's partitions' columns with a comment or column privileges of their own. */
  partitionColumns?: PartitionColumn[];
  /**
   * Child tables of old-style inheritance (INHERITS, not partitions), as display names; absent
   * when there are none (or the snapshot predates it).
   */
  inheritedBy?: string[];
}

/** A column of a partition with its own comment or column privileges (the partitioned table's are not inherited). */
export interface PartitionColumn {
  partition: QualifiedName;
  column: string;
  comment: string | null;
  /** Privileges on the column granted to roles other than the partition's owner. */
  grants: TableGrant[];
  /** NOT NULL on the partition's column while the partitioned table's column allows NULL (absent: no). */
  notNull?: boolean;
}

/** An extended statistics object: dropped with any column it covers, so a copy column must recreate it. */
export interface StatisticsInfo {
  schema: string;
  name: string;
  /** pg_get_statisticsobjdef(): `CREATE STATISTICS public.s (ndistinct) ON a, b FROM public.t`. */
  definition: string;
  /** The table columns it covers (keys and expressions). */
  columns: string[];
  comment: string | null;
  /** ALTER STATISTICS ... SET STATISTICS target; null: the default (default_statistics_target). */
  target?: number | null;
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

/**
 * The schema as the file leaves it so far: the live catalog (when there is one) with the file's own
 * changes on top (columns added, retyped, dropped; CHECKs added, validated, dropped; indexes built).
 * Rules that read a column's type or a table's constraints ask this, so a statement is compared with
 * what the earlier statements of the same file left, not with the database as it was before the file.
 * The changes are applied by schema-apply.ts.
 */
import type { TypeInfo } from './ast.js';
import type { CatalogColumn, LintCatalog } from './catalog.js';
import { keyOf, type QualifiedName } from './names.js';

export interface ColumnType {
  /** Canonical pg_type name (`varchar`, `int4`, `numeric`, `citext`). */
  name: string;
  /** Integer modifiers (`varchar(20)` → [20], `numeric(10,2)` → [10, 2]). */
  mods: number[];
  array: boolean;
  /** For messages: `character varying(20)`, `numeric(10,2)`. */
  label: string;
}

export interface SchemaCheck {
  name: string | undefined;
  /** Columns the expression reads. */
  columns: string[];
  /** Columns it proves NOT NULL (`CHECK (c IS NOT NULL)`, possibly AND-ed). */
  notNullColumns: string[];
  validated: boolean;
}

export interface TableChanges {
  /** Created by the file: the catalog's view of it does not count. */
  created: boolean;
  /** Column types set by the file; null: dropped. */
  columns: Map<string, ColumnType | null>;
  /** Columns added by the file (all their indexes and CHECKs are the file's). */
  added: Set<string>;
  /** CHECKs added by the file. */
  checks: SchemaCheck[];
  /** Catalog constraints dropped by the file. */
  dropped: Set<string>;
  /** Catalog constraints validated by the file. */
  validated: Set<string>;
  /** Columns of indexes (and PK / UNIQUE constraints) built by the file; expressions list the columns they read. */
  indexes: string[][];
}

const ALIASES: Record<string, string> = {
  'character varying': 'varchar',
  int: 'int4',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  decimal: 'numeric',
};

/** A type as written (`varchar(20)`, `decimal(10,2)`), in the catalog's names. */
export function columnTypeOf(t: TypeInfo, label: string): ColumnType {
  return { name: ALIASES[t.name] ?? t.name, mods: t.mods, array: t.array, label };
}

/** A catalog column's type as (name, modifiers) from pg_type.typname + atttypmod. */
function catalogColumnType(col: CatalogColumn): ColumnType {
  const m = col.typmod;
  const array = col.typeName.startsWith('_');
  const name = array ? col.typeName.slice(1) : col.typeName;
  const of = (mods: number[]): ColumnType => ({ name, mods, array, label: col.type });
  switch (name) {
    case 'varchar':
    case 'bpchar':
      return of(m >= 4 ? [m - 4] : []);
    case 'numeric':
      return of(m >= 4 ? [((m - 4) >> 16) & 0xffff, (m - 4) & 0xffff] : []);
    case 'timestamp':
    case 'timestamptz':
    case 'time':
    case 'timetz':
    case 'interval':
      return of(m >= 0 ? [m & 0xffff] : []);
    default:
      return of([]);
  }
}

export class SchemaState {
  private readonly tables = new Map<string, TableChanges>();

  constructor(readonly catalog: LintCatalog | undefined) {}

  /** The file's changes to a table (created on first use). */
  changes(q: QualifiedName): TableChanges {
    const key = keyOf(q);
    let t = this.tables.get(key);
    if (!t) {
      t = {
        created: false,
        columns: new Map(),
        added: new Set(),
        checks: [],
        dropped: new Set(),
        validated: new Set(),
        indexes: [],
      };
      this.tables.set(key, t);
    }
    return t;
  }

  /** CREATE TABLE: forget what the catalog and earlier statements said about this name. */
  create(q: QualifiedName): TableChanges {
    this.tables.delete(keyOf(q));
    const t = this.changes(q);
    t.created = true;
    return t;
  }

  drop(q: QualifiedName): void {
    this.create(q);
  }

  private catalogTable(q: QualifiedName) {
    return this.tables.get(keyOf(q))?.created ? undefined : this.catalog?.table(q);
  }

  /** The column's type as the file leaves it so far; undefined when unknown (no catalog) or dropped. */
  column(q: QualifiedName, name: string): ColumnType | undefined {
    const set = this.tables.get(keyOf(q))?.columns;
    if (set?.has(name)) return set.get(name) ?? undefined;
    const col = this.catalogTable(q)?.columns.get(name);
    return col ? catalogColumnType(col) : undefined;
  }

  /** The table's CHECK constraints now: the catalog's (minus those dropped) and the file's. */
  checks(q: QualifiedName): SchemaCheck[] {
    const t = this.tables.get(keyOf(q));
    const fromCatalog = (this.catalogTable(q)?.checks ?? [])
      .filter((c) => !t?.dropped.has(c.name))
      .map((c) => ({ ...c, validated: c.validated || (t?.validated.has(c.name) ?? false) }));
    return [...fromCatalog, ...(t?.checks ?? [])];
  }

  /** A validated CHECK (column IS NOT NULL) on this column exists (PG 12+ SET NOT NULL skips its scan). */
  notNullProven(q: QualifiedName, column: string): boolean {
    return this.checks(q).some((c) => c.validated && c.notNullColumns.includes(column));
  }

  /**
   * Whether an index may read the column: one built by the file, or a catalog index on it or on an
   * expression (the catalog does not list an expression's columns).
   */
  mayBeIndexed(q: QualifiedName, column: string): boolean {
    const t = this.tables.get(keyOf(q));
    if (t?.indexes.some((cols) => cols.includes(column))) return true;
    return this.catalogTable(q)?.indexes.some((i) => i.columns.includes(column) || i.columns.includes(null)) ?? false;
  }

  /** Whether a CHECK reads the column. */
  checked(q: QualifiedName, column: string): boolean {
    return this.checks(q).some((c) => c.columns.includes(column));
  }

  /** The column's indexes and CHECKs are all known: the catalog has the table, or the file made the column. */
  known(q: QualifiedName, column: string): boolean {
    const t = this.tables.get(keyOf(q));
    return t?.created === true || t?.added.has(column) === true || this.catalogTable(q) !== undefined;
  }
}

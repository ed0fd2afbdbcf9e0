import { tableKey, type Catalog, type NameRef, type TableDependent, type TableInfo } from '../../db/catalog.js';
import { type QualifiedName } from '../../db/quote.js';
import type { ColumnClaim } from '../../operations/types.js';
import type { Phase } from '../types.js';

/** What an operation did to a table that later operations can no longer use by its old name. */
export interface TableClaim {
  op: number;
  kind: string;
  change: 'drop' | 'rename-from' | 'create' | 'rename-to';
  /** rename: the other name, displayed. */
  detail: string;
}

/**
 * The virtual schema: the catalog snapshot as the operations of one file, applied in file order,
 * leave it. Every operation plans against it (PlanContext.catalog, table(), column()), then its
 * apply() records what it changed (ModelChange, plan/model/change.ts). It describes the schema
 * after contract (dropped and renamed-away objects are gone, added ones present) and remembers,
 * per column and table, which operation changed what, so later operations that overlap are
 * merged or refused naming both. Pure data, no database access.
 */
export class SchemaModel {
  readonly catalog: Catalog;
  private readonly columnClaims = new Map<string, ColumnClaim[]>();
  private readonly tableClaims = new Map<string, TableClaim>();
  /**
   * Names dropped only after expand (dropConstraint, dropIndex, dropTable and renameConstraint's old
   * name at contract; a `sql` operation's drops in the phase it runs in, unless expand): the objects
   * still exist during the window, for the old application, so a new object of the same name cannot
   * be added in expand. Keys: `constraint:<schema>.<table>.<name>`, `index:<schema>.<name>`, `table:<schema>.<name>`.
   */
  readonly retiring = new Map<string, { op: number; phase: Phase }>();
  /** Tables the file creates or renames into existence, by key (for the plan's target schemas). */
  readonly created = new Map<string, TableInfo>();

  constructor(snapshot: Catalog) {
    this.catalog = {
      ...snapshot,
      tables: new Map(snapshot.tables),
      resolved: new Map(snapshot.resolved),
      enums: new Map(snapshot.enums),
      indexes: new Map(snapshot.indexes),
    };
  }

  /** A table by reference: qualified, through the search_path as read, or created in the first schema. */
  findTable(ref: NameRef): TableInfo | undefined {
    if (ref.schema !== undefined) return this.catalog.tables.get(tableKey({ schema: ref.schema, name: ref.name }));
    const resolved = this.catalog.resolved.get(ref.name);
    const found = resolved && this.catalog.tables.get(tableKey(resolved));
    return found ?? this.catalog.tables.get(tableKey({ schema: this.catalog.defaultSchema, name: ref.name }));
  }

  /** The table's current state (tables are replaced on change: references go stale). */
  current(q: QualifiedName): TableInfo {
    const table = this.catalog.tables.get(tableKey(q));
    if (!table) throw new Error(`internal: table ${tableKey(q)} is not in the virtual schema`);
    return table;
  }

  replace(q: QualifiedName, update: (t: TableInfo) => TableInfo): TableInfo {
    const next = update(this.current(q));
    this.catalog.tables.set(tableKey(q), next);
    if (this.created.has(tableKey(q))) this.created.set(tableKey(q), next);
    return next;
  }

  /** Whole-table dependents matching `gone` (dropped by an earlier operation) removed from every table. */
  forgetTableDependents(gone: (d: TableDependent) => boolean): void {
    for (const table of [...this.catalog.tables.values()])
      if (table.tableDependents?.some(gone))
        this.replace(table, (t) => ({ ...t, tableDependents: t.tableDependents!.filter((d) => !gone(d)) }));
  }

  columnClaim(table: QualifiedName, column: string): ColumnClaim | undefined {
    const all = this.columnClaims.get(columnKey(table, column));
    return all?.[all.length - 1];
  }

  claimColumn(table: QualifiedName, column: string, claim: ColumnClaim): void {
    const key = columnKey(table, column);
    this.columnClaims.set(key, [...(this.columnClaims.get(key) ?? []), claim]);
  }

  tableClaim(ref: NameRef): TableClaim | undefined {
    const inDefault = { schema: this.catalog.defaultSchema, name: ref.name };
    const q = ref.schema !== undefined ? { schema: ref.schema, name: ref.name } : this.catalog.resolved.get(ref.name);
    return (q && this.tableClaims.get(tableKey(q))) ?? this.tableClaims.get(tableKey(inDefault));
  }

  claimTable(table: QualifiedName, claim: TableClaim): void {
    this.tableClaims.set(tableKey(table), claim);
  }
}

function columnKey(table: QualifiedName, column: string): string {
  return JSON.stringify([table.schema, table.name, column]);
}

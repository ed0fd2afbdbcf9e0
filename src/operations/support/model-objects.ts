import type { ColumnInfo, ConstraintInfo, IndexInfo } from '../../db/catalog.js';
import { quoteIdent, quoteQualified, type QualifiedName } from '../../db/quote.js';
import { expressionColumns, parseTypeName } from '../../sql/expression.js';

/**
 * Catalog-shaped objects an operation's apply() adds to the virtual schema (plan/model/), shaped as
 * pg_catalog would show them after contract, so later operations plan against them as they would
 * against the real thing (a rename rebuilds an index from its `definition`, and so on).
 */

/** A column as the operation leaves it; the type as the deparser prints it (`varchar(50)`). */
export function modelColumn(name: string, type: string, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    name,
    attnum: 0,
    type: typeSql(type),
    typeOid: 0,
    notNull: false,
    default: null,
    identity: '',
    generated: '',
    collation: null,
    comment: null,
    ownedSequence: null,
    ...extra,
  };
}

/** A type as the deparser prints it, or the text as given when it does not parse (plan() reported it). */
export function typeSql(type: string): string {
  try {
    return parseTypeName(type).sql;
  } catch {
    return type.trim();
  }
}

export interface ModelIndexInput {
  name: string;
  /** Key elements as SQL (quoted columns or expressions). */
  elements: string[];
  /** Table columns the index uses (keys, expressions, INCLUDE, predicate). */
  columns: string[];
  unique?: boolean;
  primary?: boolean;
  method?: string;
  include?: string[];
  where?: string;
  constraint?: string | null;
}

/** An index with a pg_get_indexdef()-like definition. */
export function modelIndex(table: QualifiedName, i: ModelIndexInput): IndexInfo {
  const definition =
    `CREATE ${i.unique || i.primary ? 'UNIQUE ' : ''}INDEX ${quoteIdent(i.name)} ON ${quoteQualified(table)} USING ${i.method ?? 'btree'} (${i.elements.join(', ')})` +
    `${i.include?.length ? ` INCLUDE (${i.include.map(quoteIdent).join(', ')})` : ''}${i.where ? ` WHERE ${i.where}` : ''}`;
  return {
    name: i.name,
    schema: table.schema,
    definition,
    unique: i.unique === true || i.primary === true,
    primary: i.primary === true,
    valid: true,
    columns: [...new Set(i.columns)].sort(),
    constraint: i.constraint ?? null,
  };
}

/** A constraint with a pg_get_constraintdef()-like definition (`CHECK (...)`, `FOREIGN KEY ...`). */
export function modelConstraint(
  name: string,
  type: ConstraintInfo['type'],
  columns: string[],
  definition: string,
  extra: Partial<ConstraintInfo> = {},
): ConstraintInfo {
  return { name, type, definition, validated: true, columns, references: null, index: null, ...extra };
}

/**
 * A primary key ('p') or unique constraint ('u') on `columns` and the index of the same name that
 * backs it, as addPrimaryKey and addUnique leave them.
 */
export function modelKey(
  table: QualifiedName,
  name: string,
  columns: string[],
  type: 'p' | 'u',
): { index: IndexInfo; constraint: ConstraintInfo } {
  const list = columns.map(quoteIdent);
  const index = modelIndex(table, {
    name,
    elements: list,
    columns,
    constraint: name,
    ...(type === 'p' ? { primary: true } : { unique: true }),
  });
  const definition = `${type === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} (${list.join(', ')})`;
  return { index, constraint: modelConstraint(name, type, columns, definition, { index: name }) };
}

/** A foreign key constraint of `columns` referencing `referenced` (`referencedColumns`). */
export function modelForeignKey(
  name: string,
  columns: string[],
  referenced: QualifiedName,
  referencedColumns: string[],
  /** MATCH, actions and deferral, as pg_get_constraintdef prints them after the referenced columns. */
  tail = '',
): ConstraintInfo {
  return modelConstraint(
    name,
    'f',
    columns,
    `FOREIGN KEY (${columns.map(quoteIdent).join(', ')}) REFERENCES ${quoteQualified(referenced)}(${referencedColumns.map(quoteIdent).join(', ')})${tail}`,
    { references: { table: referenced, columns: referencedColumns } },
  );
}

/** Columns an expression names; none when it does not parse (plan() reported that). */
export function columnsIn(expression: string): Set<string> {
  try {
    return expressionColumns(expression);
  } catch {
    return new Set();
  }
}

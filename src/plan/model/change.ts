import { tableKey, type ColumnInfo, type ConstraintInfo, type IndexInfo, type TableInfo } from '../../db/catalog.js';
import { rewritePolicyExpression } from '../../sql/dependent-rewrite.js';
import { displayName, quoteIdent, type QualifiedName } from '../../db/quote.js';
import type { ColumnChangeKind, ColumnClaim, ModelChange } from '../../operations/types.js';
import { rewriteConstraintDefinition, rewriteIndexDefinition } from '../../sql/rewrite.js';
import type { SchemaModel } from './schema-model.js';
import type { Phase } from '../types.js';
import { applySqlText } from './sql-effects.js';
import { renamedDependent } from './renamed-dependents.js';

/** The operation whose apply() is running: its index in the file and its kind. */
export interface ChangingOp {
  index: number;
  kind: string;
  /** `operations[2] (dropColumn)` */
  describe(op: number): string;
  /** Refuses the operation (a ValidationIssue at its path). */
  fail(message: string): never;
  /** The table a name in the operation means (same resolution as PlanContext.table). */
  table(name: string): TableInfo;
}

const VERB: Record<ColumnChangeKind, (c: ColumnClaim) => string> = {
  add: () => 'adds it',
  drop: () => 'drops it',
  'rename-from': (c) => `renames it to ${quoteIdent(c.detail)}`,
  'rename-to': (c) => `creates it by renaming ${quoteIdent(c.detail)}`,
  retype: (c) => `changes its type to ${c.detail}`,
};

/** What every mutation checks and records for the operation: column claims, retiring names. */
interface Guards {
  claim(table: QualifiedName, column: string, change: ColumnChangeKind, detail?: string, shadow?: boolean): void;
  /** Replaces the table in the model with `update`'s fields changed. */
  columns(q: QualifiedName, update: (t: TableInfo) => Partial<TableInfo>): void;
  retire(key: string): void;
  requireNotRetiring(key: string, what: string): void;
  /** The phase the `sql` operation being applied runs in (its drops free a name only in expand). */
  sqlPhase(phase: Phase): void;
}

/**
 * A constraint's `up` (addCheck, addUnique, addForeignKey) copies the column as an earlier direct
 * type change (no rewrite: done in place at expand) leaves it: the copy has the new type, so the
 * two compose. Two type changes, or a copy after a shadow type change, stay refused.
 */
function copiesAfterDirectRetype(earlier: ColumnClaim, kind: string, change: ColumnChangeKind, shadow: boolean) {
  return earlier.change === 'retype' && !earlier.shadow && change === 'retype' && shadow && kind !== 'changeColumnType';
}

function guards(model: SchemaModel, op: ChangingOp): Guards {
  const claim = (table: QualifiedName, column: string, change: ColumnChangeKind, detail = '', shadow = false) => {
    const mine: ColumnClaim = { op: op.index, kind: op.kind, change, detail, ...(shadow ? { shadow } : {}) };
    const earlier = model.columnClaim(table, column);
    if (earlier && earlier.op !== op.index && !copiesAfterDirectRetype(earlier, op.kind, change, shadow)) {
      op.fail(
        `${op.describe(earlier.op)} and ${op.describe(op.index)} both change column ${displayName(table)}.${quoteIdent(column)}: ${op.describe(earlier.op)} ${VERB[earlier.change](earlier)}, ${op.describe(op.index)} ${VERB[change](mine)}. One operation per migration may add, drop, rename or change the type of a column: combine them into one operation or move the second to a later migration`,
      );
    }
    model.claimColumn(table, column, mine);
  };
  const columns = (q: QualifiedName, update: (t: TableInfo) => Partial<TableInfo>) =>
    model.replace(q, (t) => ({ ...t, ...update(t) }));
  // The drop operations drop at contract; a raw `sql` operation in the phase it runs in, so its
  // drop frees the name for the operations after it only when it runs in expand.
  let sqlPhase: Phase = 'expand';
  const retire = (key: string) => {
    if (op.kind !== 'sql' || sqlPhase !== 'expand')
      model.retiring.set(key, { op: op.index, phase: op.kind === 'sql' ? sqlPhase : 'contract' });
  };
  const requireNotRetiring = (key: string, what: string) => {
    const by = model.retiring.get(key);
    if (by !== undefined && by.op !== op.index)
      op.fail(
        `${op.describe(op.index)} creates ${what}, which ${op.describe(by.op)} drops only at ${by.phase}: the old one still exists during the window (the old application keeps using it), so the new one cannot be created in expand. Give it another name, or create it in a later migration`,
      );
  };
  return { claim, columns, retire, requireNotRetiring, sqlPhase: (phase) => (sqlPhase = phase) };
}

const constraintKey = (q: QualifiedName, name: string) => `constraint:${tableKey(q)}.${name}`;
const indexKey = (schema: string, name: string) => `index:${schema}.${name}`;

type TableChanges = Pick<ModelChange, 'addTable' | 'dropTable' | 'renameTable'>;
type ColumnChanges = Pick<
  ModelChange,
  'addColumn' | 'dropColumn' | 'renameColumn' | 'retypeColumn' | 'alterColumn' | 'alterTable'
>;
type IndexChanges = Pick<
  ModelChange,
  'addIndex' | 'dropIndex' | 'addConstraint' | 'dropConstraint' | 'renameConstraint'
>;

function tableChanges(model: SchemaModel, op: ChangingOp, { retire, requireNotRetiring }: Guards): TableChanges {
  return {
    addTable(table) {
      const q = { schema: table.schema, name: table.name };
      requireNotRetiring(`table:${tableKey(q)}`, `table ${displayName(q)}`);
      model.catalog.tables.set(tableKey(q), table);
      model.created.set(tableKey(q), table);
      if (table.schema === model.catalog.defaultSchema) model.catalog.resolved.set(table.name, q);
      model.claimTable(q, { op: op.index, kind: op.kind, change: 'create', detail: '' });
    },
    dropTable(q) {
      const table = model.current(q);
      retire(`table:${tableKey(q)}`);
      for (const fk of table.constraints.filter((c) => c.type === 'f' && c.references))
        dropInbound(model, fk.references!.table, q, fk.name);
      model.catalog.tables.delete(tableKey(q));
      model.created.delete(tableKey(q));
      model.claimTable(q, { op: op.index, kind: op.kind, change: 'drop', detail: '' });
      // its columns of another table's row type, its defaults using another table's sequence...
      model.forgetTableDependents((d) => d.kind === 'other' && d.name === `${q.schema}.${q.name}`);
    },
    renameTable(q, to) {
      const table = model.current(q);
      model.catalog.tables.delete(tableKey(q));
      model.created.delete(tableKey(q));
      const renamed = { ...table, schema: to.schema, name: to.name };
      model.catalog.tables.set(tableKey(to), renamed);
      model.created.set(tableKey(to), renamed);
      if (to.schema === model.catalog.defaultSchema) model.catalog.resolved.set(to.name, to);
      model.claimTable(q, { op: op.index, kind: op.kind, change: 'rename-from', detail: displayName(to) });
      model.claimTable(to, { op: op.index, kind: op.kind, change: 'rename-to', detail: displayName(q) });
    },
  };
}

function columnChanges(model: SchemaModel, op: ChangingOp, { claim, columns }: Guards): ColumnChanges {
  return {
    addColumn(q, column) {
      claim(q, column.name, 'add');
      columns(q, (t) => ({ columns: [...t.columns, { ...column, attnum: nextAttnum(t) }] }));
    },
    dropColumn(q, name) {
      claim(q, name, 'drop');
      const table = model.current(q);
      for (const fk of table.constraints.filter((c) => c.type === 'f' && c.references && c.columns.includes(name)))
        dropInbound(model, fk.references!.table, q, fk.name);
      columns(q, (t) => ({
        columns: t.columns.filter((c) => c.name !== name),
        indexes: t.indexes.filter((ix) => !ix.columns.includes(name)),
        constraints: t.constraints.filter((c) => !c.columns.includes(name)),
        primaryKey: t.primaryKey?.columns.includes(name) ? null : t.primaryKey,
        // a dropped generated column no longer depends on the columns its expression read
        dependents: t.dependents.filter(
          (d) => d.column !== name && !(d.kind === 'generated column' && d.name === name),
        ),
        ...(t.partitionColumns ? { partitionColumns: t.partitionColumns.filter((p) => p.column !== name) } : {}),
      }));
      model.forgetTableDependents((d) => d.kind === 'other' && d.name === `${q.schema}.${q.name}` && d.column === name);
    },
    renameColumn(q, from, to) {
      claim(q, from, 'rename-from', to);
      claim(q, to, 'rename-to', from);
      columns(q, (t) => renamedColumn(t, from, to));
    },
    retypeColumn(q, name, type, shadow) {
      claim(q, name, 'retype', type, shadow);
      columns(q, (t) => ({ columns: t.columns.map((c) => (c.name === name ? { ...c, type } : c)) }));
      // a column of another table's row type no longer is
      model.forgetTableDependents(
        (d) =>
          d.kind === 'other' &&
          d.name === `${q.schema}.${q.name}` &&
          d.column === name &&
          d.description.startsWith('column '),
      );
    },
    alterColumn(q, name, patch) {
      const earlier = model.columnClaim(q, name);
      // The rename's contract gives the new column the old one's NOT NULL and default, as planned.
      if (earlier?.change === 'rename-to' && earlier.op !== op.index && ('notNull' in patch || 'default' in patch))
        op.fail(
          `${op.describe(op.index)} changes the ${'default' in patch ? 'default' : 'nullability'} of ${displayName(q)}.${quoteIdent(name)}, which ${op.describe(earlier.op)} creates by renaming ${quoteIdent(earlier.detail)}; the rename carries the old column's NOT NULL and default over at contract: put ${op.describe(op.index)} before it (on ${quoteIdent(earlier.detail)}) or in a later migration`,
        );
      columns(q, (t) => ({ columns: t.columns.map((c) => (c.name === name ? { ...c, ...patch } : c)) }));
    },
    alterTable(q, patch) {
      columns(q, () => patch);
    },
  };
}

function indexChanges(model: SchemaModel, { columns, retire, requireNotRetiring }: Guards): IndexChanges {
  return {
    addIndex(q, index) {
      requireNotRetiring(indexKey(index.schema, index.name), `index ${quoteIdent(index.name)}`);
      columns(q, (t) => ({ indexes: [...t.indexes.filter((ix) => ix.name !== index.name), index] }));
      const key = { schema: index.schema, name: index.name };
      model.catalog.indexes.set(tableKey(key), { ...index, table: q });
      model.catalog.resolved.set(`index:${index.name}`, key);
    },
    dropIndex(q, name) {
      const index = model.current(q).indexes.find((ix) => ix.name === name);
      if (index) retire(indexKey(index.schema, name));
      columns(q, (t) => ({ indexes: t.indexes.filter((ix) => ix.name !== name) }));
      if (index) model.catalog.indexes.delete(tableKey({ schema: index.schema, name }));
    },
    addConstraint(q, constraint) {
      requireNotRetiring(
        constraintKey(q, constraint.name),
        `constraint ${quoteIdent(constraint.name)} on ${displayName(q)}`,
      );
      columns(q, (t) => ({
        constraints: [...t.constraints.filter((c) => c.name !== constraint.name), constraint],
        ...(constraint.type === 'p' ? { primaryKey: { name: constraint.name, columns: constraint.columns } } : {}),
      }));
      if (constraint.type === 'f' && constraint.references) addInbound(model, q, constraint);
    },
    dropConstraint(q, name) {
      const constraint = model.current(q).constraints.find((c) => c.name === name);
      retire(constraintKey(q, name));
      if (constraint?.index) retire(indexKey(q.schema, constraint.index));
      if (constraint?.type === 'f' && constraint.references) dropInbound(model, constraint.references.table, q, name);
      columns(q, (t) => ({
        constraints: t.constraints.filter((c) => c.name !== name),
        indexes: t.indexes.filter((ix) => !(constraint?.index && ix.name === constraint.index)),
        primaryKey: t.primaryKey?.name === name ? null : t.primaryKey,
      }));
    },
    renameConstraint(q, from, to) {
      const constraint = model.current(q).constraints.find((c) => c.name === from);
      if (!constraint) return;
      const index = constraint.index ? model.current(q).indexes.find((ix) => ix.name === constraint.index) : undefined;
      if (index) {
        this.dropIndex(q, index.name);
        this.addIndex(q, {
          ...index,
          name: to,
          constraint: to,
          definition: rewriteIndexDefinition(index.definition, { renames: new Map(), newName: to }),
        });
      }
      // renameConstraint renames at contract: the old name stays taken during the window.
      retire(constraintKey(q, from));
      columns(q, (t) => ({
        constraints: t.constraints.map((c) => (c.name === from ? { ...c, name: to, index: index ? to : c.index } : c)),
        primaryKey: t.primaryKey?.name === from ? { ...t.primaryKey, name: to } : t.primaryKey,
      }));
    },
  };
}

/** ModelChange for one operation: every mutation of the virtual schema, with the claims it makes. */
export function modelChange(model: SchemaModel, op: ChangingOp): ModelChange {
  const g = guards(model, op);
  return {
    catalog: model.catalog,
    table: (name) => op.table(name),
    claimOf: (table, column) => model.columnClaim(table, column),
    ...tableChanges(model, op, g),
    ...columnChanges(model, op, g),
    ...indexChanges(model, g),
    addEnumLabel(type, label) {
      const found = model.catalog.enums.get(tableKey(type));
      if (found && !found.labels.includes(label))
        model.catalog.enums.set(tableKey(type), { ...found, labels: [...found.labels, label] });
    },
    applySql(sql, phase) {
      g.sqlPhase(phase);
      applySqlText(this, model, sql, phase, op.describe(op.index));
    },
  };
}

function nextAttnum(t: TableInfo): number {
  return Math.max(0, ...t.columns.map((c) => c.attnum)) + 1;
}

/** The table as RENAME COLUMN leaves it: indexes, constraints and keys on the new name. */
function renamedColumn(t: TableInfo, from: string, to: string): Partial<TableInfo> {
  const renames = new Map([[from, to]]);
  const rename = (names: string[]) => names.map((n) => (n === from ? to : n));
  // A renamed key column no longer orders a backfill (keyColumns dropped): during the window the
  // real column still has its old name, and the new one is being filled.
  const index = (ix: IndexInfo): IndexInfo => {
    if (!ix.columns.includes(from)) return ix;
    const { keyColumns: _dropped, ...rest } = ix;
    return {
      ...rest,
      columns: rename(ix.columns),
      definition: rewriteIndexDefinition(ix.definition, { renames, newName: ix.name }),
    };
  };
  const constraint = (c: ConstraintInfo): ConstraintInfo =>
    c.columns.includes(from)
      ? {
          ...c,
          columns: rename(c.columns),
          definition: c.definition ? rewriteConstraintDefinition(c.definition, renames) : c.definition,
        }
      : c;
  return {
    columns: t.columns.map((c) => (c.name === from ? { ...c, name: to } : generatedOn(c, t, renames))),
    indexes: t.indexes.map(index),
    constraints: t.constraints.map(constraint),
    primaryKey: t.primaryKey ? { ...t.primaryKey, columns: rename(t.primaryKey.columns) } : null,
    dependents: t.dependents.map((d) => renamedDependent(d, { schema: t.schema, name: t.name }, renames)),
    ...(t.partitionColumns
      ? { partitionColumns: t.partitionColumns.map((p) => (p.column === from ? { ...p, column: to } : p)) }
      : {}),
  };
}

/** A generated column's expression as it reads after the rename (a virtual one follows it at contract). */
function generatedOn(c: ColumnInfo, t: QualifiedName, renames: ReadonlyMap<string, string>): ColumnInfo {
  if (!c.generated || c.default === null) return c;
  const r = rewritePolicyExpression(c.default, t, t, renames);
  return 'sql' in r ? { ...c, default: r.sql } : c;
}

function addInbound(model: SchemaModel, from: QualifiedName, fk: ConstraintInfo): void {
  const target = fk.references!.table;
  if (!model.catalog.tables.has(tableKey(target))) return;
  model.replace(target, (t) => ({
    ...t,
    referencedBy: [
      ...t.referencedBy,
      {
        name: fk.name,
        table: from,
        columns: fk.columns,
        referencedColumns: fk.references!.columns,
        definition: fk.definition,
        validated: fk.validated,
      },
    ],
  }));
}

function dropInbound(model: SchemaModel, target: QualifiedName, from: QualifiedName, name: string): void {
  if (!model.catalog.tables.has(tableKey(target))) return;
  model.replace(target, (t) => ({
    ...t,
    referencedBy: t.referencedBy.filter((f) => !(f.name === name && tableKey(f.table) === tableKey(from))),
  }));
}

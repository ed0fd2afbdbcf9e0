import { deparseSync } from 'pgsql-deparser';
import { tableKey, type ColumnDependent, type ColumnInfo, type TableInfo } from '../../db/catalog.js';
import { generatedName, quoteIdent, type QualifiedName } from '../../db/quote.js';
import { modelIndex, modelKey } from '../../operations/support/model-objects.js';
import type { ModelChange } from '../../operations/types.js';
import type { Phase } from '../types.js';
import { splitStatements } from '../../sql/statements.js';
import { walk, type Node } from '../../sql/rewrite.js';
import type { SchemaModel } from './schema-model.js';
import { definedView } from './view-effects.js';

type Body = Record<string, unknown>;
type RangeVar = { relname?: string; schemaname?: string };

/**
 * Applies a raw `sql` operation's statements to the virtual schema, read with the real parser:
 * DROP VIEW / MATERIALIZED VIEW / TABLE / INDEX / TRIGGER / POLICY / FUNCTION / PROCEDURE /
 * PUBLICATION, ALTER PUBLICATION ... SET / DROP TABLE, ALTER TABLE ADD / DROP / ALTER
 * COLUMN and ADD / DROP CONSTRAINT, RENAME of a column or table, CREATE INDEX and CREATE TABLE,
 * CREATE [OR REPLACE] VIEW and CREATE MATERIALIZED VIEW (what the new query reads replaces what the
 * view read: view-effects.ts; `definedBy` names the operation, for refusals).
 * Statements on objects the model does not hold, and other kinds of statement, change nothing.
 * A dependent dropped in any phase counts as gone for the operations after it in the file: their
 * steps in the same or a later phase run after it (steps of one phase run in file order).
 */
export function applySqlText(
  change: ModelChange,
  model: SchemaModel,
  sql: string,
  _phase: Phase,
  definedBy: string,
): void {
  let statements;
  try {
    statements = splitStatements(sql);
  } catch {
    return; // the operation's plan() reported it
  }
  const effects = new SqlEffects(change, model, definedBy);
  for (const s of statements) effects.apply(s.kind, s.node[s.kind] as Body, s.sql);
}

class SqlEffects {
  constructor(
    private readonly change: ModelChange,
    private readonly model: SchemaModel,
    private readonly definedBy: string,
  ) {}

  apply(kind: string, body: Body, text: string): void {
    switch (kind) {
      case 'DropStmt':
        return this.drop(body);
      case 'AlterTableStmt':
        return this.alterTable(body);
      case 'RenameStmt':
        return this.rename(body);
      case 'IndexStmt':
        return this.createIndex(body, text);
      case 'AlterPublicationStmt':
        // SET or DROP TABLE: the statement decides the publication's tables and column lists anew.
        if (body.action !== 'AP_AddObjects')
          this.dropDependents((d) => d.kind === 'publication' && d.name === body.pubname);
        return;
      case 'CreateStmt':
        return this.createTable(body);
      case 'ViewStmt':
      case 'CreateTableAsStmt':
        return this.defineView(kind, body);
      default:
        return;
    }
  }

  private table(rv: RangeVar | undefined): TableInfo | undefined {
    if (!rv?.relname) return undefined;
    return this.model.findTable(rv.schemaname ? { schema: rv.schemaname, name: rv.relname } : { name: rv.relname });
  }

  private qualify(parts: string[]): QualifiedName {
    const name = parts[parts.length - 1]!;
    if (parts.length > 1) return { schema: parts[parts.length - 2]!, name };
    return this.model.catalog.resolved.get(name) ?? { schema: this.model.catalog.defaultSchema, name };
  }

  private drop(body: Body): void {
    if (this.dropFunctionOrPublication(body)) return;
    const objects = ((body.objects as Node[] | undefined) ?? []).map((o) => strings(o));
    for (const parts of objects) {
      switch (body.removeType) {
        case 'OBJECT_VIEW':
        case 'OBJECT_MATVIEW':
          this.dropDependent('view', this.qualify(parts));
          break;
        case 'OBJECT_TABLE': {
          const table = this.table(rangeVar(parts));
          if (table) this.change.dropTable(table);
          break;
        }
        case 'OBJECT_INDEX': {
          const q = parts.length > 1 ? this.qualify(parts) : this.model.catalog.resolved.get(`index:${parts[0]}`);
          const index = q && this.model.catalog.indexes.get(tableKey(q));
          if (index) this.change.dropIndex(index.table, index.name);
          break;
        }
        case 'OBJECT_TRIGGER':
        case 'OBJECT_POLICY':
        case 'OBJECT_RULE': {
          const table = this.table(rangeVar(parts.slice(0, -1)));
          if (!table) break;
          const name = parts[parts.length - 1]!;
          if (body.removeType !== 'OBJECT_RULE')
            this.dropOwnDependent(table, name, body.removeType === 'OBJECT_TRIGGER');
          const what = `${String(body.removeType).slice('OBJECT_'.length).toLowerCase()} ${name} on `;
          this.model.forgetTableDependents(
            (d) => d.name === `${table.schema}.${table.name}` && d.description.startsWith(what),
          );
          break;
        }
        default:
          break;
      }
    }
  }

  /** DROP FUNCTION / PROCEDURE (every overload of the name) and DROP PUBLICATION. */
  private dropFunctionOrPublication(body: Body): boolean {
    const objects = (body.objects as Node[] | undefined) ?? [];
    if (body.removeType === 'OBJECT_PUBLICATION') {
      const names = new Set(objects.map((o) => (o.String as { sval?: string } | undefined)?.sval));
      this.dropDependents((d) => d.kind === 'publication' && names.has(d.name));
      return true;
    }
    if (body.removeType !== 'OBJECT_FUNCTION' && body.removeType !== 'OBJECT_PROCEDURE') return false;
    for (const o of objects) {
      const parts = strings({ List: { items: (o.ObjectWithArgs as Body | undefined)?.objname ?? [] } });
      const name = parts[parts.length - 1]!;
      const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      const gone = (d: { kind: string; name: string }) =>
        d.kind === 'function' &&
        (schema
          ? d.name.startsWith(`${schema}.${name}(`)
          : d.name.slice(d.name.indexOf('.') + 1).startsWith(`${name}(`));
      this.dropDependents(gone);
      this.model.forgetTableDependents(gone);
    }
    return true;
  }

  /** Dependents matching `gone` removed from every table of the model. */
  private dropDependents(gone: (d: ColumnDependent) => boolean): void {
    for (const table of [...this.model.catalog.tables.values()]) {
      if (!table.dependents.some(gone)) continue;
      this.model.replace(table, (t) => ({ ...t, dependents: t.dependents.filter((d) => !gone(d)) }));
    }
  }

  /** A view or rule: gone from every table's dependents, and from the model if it was read. */
  private dropDependent(kind: 'view', q: QualifiedName): void {
    const name = `${q.schema}.${q.name}`;
    this.dropDependents((d) => (d.kind === kind || d.kind === 'rule') && d.name === name);
    this.model.forgetTableDependents((d) => d.kind === kind && d.name === name);
    const relation = this.model.catalog.tables.get(tableKey(q));
    if (relation && ['v', 'm'].includes(relation.relkind)) this.model.catalog.tables.delete(tableKey(q));
  }

  /**
   * CREATE [OR REPLACE] VIEW, CREATE MATERIALIZED VIEW: the view depends on what its new query reads,
   * and on nothing it read before. zdm does not read the new definition as Postgres will print it, so
   * a later operation that would have to recreate the view refuses it (`definedBy`).
   */
  private defineView(kind: string, body: Body): void {
    const view = definedView(this.model, kind, body);
    if (!view) return;
    const name = tableKey(view.name);
    const mine = (d: { kind: string; name: string }) => (d.kind === 'view' || d.kind === 'rule') && d.name === name;
    if (body.if_not_exists && [...this.model.catalog.tables.values()].some((t) => t.dependents.some(mine))) return;
    this.dropDependents(mine);
    this.model.forgetTableDependents(mine);
    const description = `${view.relkind === 'm' ? 'materialized view' : 'view'} ${name}`;
    for (const { table, columns } of view.reads.values())
      this.model.replace(table, (t) => ({
        ...t,
        dependents: [
          ...t.dependents,
          ...[...columns].map((column) => ({ column, kind: 'view' as const, name, definedBy: this.definedBy })),
        ],
        tableDependents: [
          ...(t.tableDependents ?? []),
          { kind: 'view', description, name, column: null, storesRows: false },
        ],
      }));
  }

  private dropOwnDependent(table: TableInfo, name: string, trigger: boolean): void {
    this.model.replace(table, (t) => ({
      ...t,
      dependents: t.dependents.filter((d) => !(d.kind === (trigger ? 'trigger' : 'policy') && d.name === name)),
      triggers: trigger ? t.triggers.filter((tr) => tr.name !== name) : t.triggers,
    }));
  }

  private alterTable(body: Body): void {
    const table = this.table(body.relation as RangeVar);
    if (!table || body.objtype !== 'OBJECT_TABLE') return;
    for (const node of (body.cmds as Node[] | undefined) ?? []) {
      const cmd = node.AlterTableCmd as Body | undefined;
      if (cmd) this.alterTableCmd(table, cmd);
    }
  }

  private alterTableCmd(table: QualifiedName, cmd: Body): void {
    const name = cmd.name as string | undefined;
    const def = cmd.def as Node | undefined;
    switch (cmd.subtype) {
      case 'AT_AddColumn':
        return this.change.addColumn(table, columnOf(def!.ColumnDef as Body));
      case 'AT_DropColumn':
        return this.change.dropColumn(table, name!);
      case 'AT_AlterColumnType':
        return this.change.retypeColumn(table, name!, typeSql((def!.ColumnDef as Body).typeName), false);
      case 'AT_ColumnDefault':
        if (!def)
          this.model.forgetTableDependents(
            (d) =>
              d.name === `${table.schema}.${table.name}` && d.column === name && d.description.startsWith('default'),
          );
        return this.change.alterColumn(table, name!, { default: def ? deparseSync(def as never) : null });
      case 'AT_SetNotNull':
        return this.change.alterColumn(table, name!, { notNull: true });
      case 'AT_DropNotNull':
        return this.change.alterColumn(table, name!, { notNull: false });
      case 'AT_DropExpression':
        // a plain column from now on, keeping its values: it no longer depends on the columns it read
        this.change.alterColumn(table, name!, { generated: '', default: null });
        this.model.replace(table, (t) => ({
          ...t,
          dependents: t.dependents.filter((d) => !(d.kind === 'generated column' && d.name === name)),
        }));
        return;
      case 'AT_DropConstraint':
        return this.change.dropConstraint(table, name!);
      case 'AT_AddConstraint': {
        const c = def?.Constraint as Body | undefined;
        if (c?.conname) this.addConstraint(table, c);
        return;
      }
      default:
        return;
    }
  }

  /**
   * ADD CONSTRAINT, or a constraint of CREATE TABLE (`column`: declared on that column). Unnamed,
   * it gets the name Postgres gives it; a primary key, unique or exclusion constraint brings its
   * index (of the same name).
   */
  private addConstraint(table: QualifiedName, c: Body, column?: string): void {
    const type = CONSTRAINT_TYPES[c.contype as string];
    if (!type) return;
    const keys = strings({ List: { items: c.keys ?? c.fk_attrs ?? [] } });
    const columns = new Set<string>(keys.length ? keys : column ? [column] : []);
    walk([c.raw_expr, c.exclusions, c.where_clause], (key, value) => {
      if (key === 'IndexElem' && typeof value.name === 'string') columns.add(value.name);
      if (key !== 'ColumnRef') return;
      const fields = value.fields as Node[];
      const last = (fields[fields.length - 1]?.String as { sval?: string } | undefined)?.sval;
      if (last) columns.add(last);
    });
    const name = (c.conname as string | undefined) ?? defaultConstraintName(table.name, type, [...columns]);
    if (type === 'p' || type === 'u') {
      const key = modelKey(table, name, [...columns], type);
      this.change.addIndex(table, key.index);
      this.change.addConstraint(table, key.constraint);
      return;
    }
    if (type === 'x')
      this.change.addIndex(
        table,
        modelIndex(table, { name, elements: [...columns].map(quoteIdent), columns: [...columns] }),
      );
    const pk = c.pktable as RangeVar | undefined;
    const referenced = pk ? this.table(pk) : undefined;
    this.change.addConstraint(table, {
      name,
      type,
      definition: '',
      validated: c.skip_validation !== true,
      columns: [...columns],
      references: referenced ? { table: referenced, columns: strings({ List: { items: c.pk_attrs ?? [] } }) } : null,
      index: type === 'x' ? name : null,
    });
  }

  private rename(body: Body): void {
    const table = this.table(body.relation as RangeVar);
    if (!table) return;
    const to = body.newname as string;
    if (body.renameType === 'OBJECT_COLUMN') this.change.renameColumn(table, body.subname as string, to);
    else if (body.renameType === 'OBJECT_TABLE') this.change.renameTable(table, { schema: table.schema, name: to });
  }

  private createIndex(body: Body, text: string): void {
    const table = this.table(body.relation as RangeVar);
    if (!table || typeof body.idxname !== 'string') return;
    const columns = new Set<string>();
    walk(body.indexParams, (key, value) => {
      if (key === 'IndexElem' && typeof value.name === 'string') columns.add(value.name);
      if (key === 'ColumnRef') {
        const fields = value.fields as Node[];
        const last = (fields[fields.length - 1]?.String as { sval?: string } | undefined)?.sval;
        if (last) columns.add(last);
      }
    });
    this.change.addIndex(table, {
      name: body.idxname,
      schema: table.schema,
      definition: text,
      unique: body.unique === true,
      primary: false,
      valid: true,
      columns: [...columns].sort(),
      constraint: null,
    });
  }

  /** CREATE TABLE with its column and table constraints (named as Postgres names them when unnamed). */
  private createTable(body: Body): void {
    const rv = body.relation as RangeVar;
    if (!rv?.relname || body.if_not_exists) return;
    const q = { schema: rv.schemaname ?? this.model.catalog.defaultSchema, name: rv.relname };
    const elements = (body.tableElts as Node[] | undefined) ?? [];
    const defs = elements.map((e) => e.ColumnDef as Body | undefined).filter((c): c is Body => c !== undefined);
    this.change.addTable({
      oid: 0,
      schema: q.schema,
      name: q.name,
      relkind: 'r',
      estimatedRows: 0,
      sizeBytes: 0,
      columns: defs.map((c, i) => ({ ...columnOf(c), attnum: i + 1 })),
      primaryKey: null,
      indexes: [],
      constraints: [],
      referencedBy: [],
      dependents: [],
      triggers: [],
    });
    for (const def of defs)
      for (const c of ((def.constraints as Node[] | undefined) ?? []).map((n) => n.Constraint as Body))
        this.addConstraint(q, c, def.colname as string);
    for (const c of elements.map((e) => e.Constraint as Body | undefined)) if (c) this.addConstraint(q, c);
    // A primary key makes its columns NOT NULL.
    const pk = this.model.current(q).primaryKey;
    for (const column of pk?.columns ?? []) this.change.alterColumn(q, column, { notNull: true });
  }
}

const CONSTRAINT_TYPES: Record<string, 'c' | 'f' | 'u' | 'p' | 'x' | undefined> = {
  CONSTR_CHECK: 'c',
  CONSTR_FOREIGN: 'f',
  CONSTR_UNIQUE: 'u',
  CONSTR_PRIMARY: 'p',
  CONSTR_EXCLUSION: 'x',
};

/** The name Postgres gives an unnamed constraint (ChooseConstraintName: table, first column, suffix). */
function defaultConstraintName(table: string, type: 'c' | 'f' | 'u' | 'p' | 'x', columns: string[]): string {
  if (type === 'p') return generatedName(table, 'pkey');
  const suffix = { c: 'check', f: 'fkey', u: 'key', x: 'excl' }[type];
  return generatedName(table, type === 'c' ? (columns[0] ?? '') : columns.join('_'), suffix);
}

function strings(node: Node | undefined): string[] {
  const items = ((node?.List as { items?: Node[] } | undefined)?.items ?? []) as Node[];
  return items.map((i) => (i.String as { sval?: string } | undefined)?.sval).filter((s): s is string => !!s);
}

function rangeVar(parts: string[]): RangeVar | undefined {
  if (parts.length === 0) return undefined;
  return parts.length > 1 ? { schemaname: parts[0], relname: parts[1] } : { relname: parts[0] };
}

function typeSql(typeName: unknown): string {
  return deparseSync({ TypeName: typeName } as never);
}

function columnOf(def: Body): ColumnInfo {
  const constraints = ((def.constraints as Node[] | undefined) ?? []).map((c) => c.Constraint as Body);
  const dflt = constraints.find((c) => c.contype === 'CONSTR_DEFAULT');
  return {
    name: def.colname as string,
    attnum: 0,
    type: typeSql(def.typeName),
    typeOid: 0,
    notNull: constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY'),
    default: dflt?.raw_expr ? deparseSync(dflt.raw_expr as never) : null,
    identity: '',
    generated: '',
    collation: null,
    comment: null,
    ownedSequence: null,
  };
}

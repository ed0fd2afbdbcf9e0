/** Applies a statement's effect on tables, columns, CHECKs and indexes to the SchemaState. */
import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateStmt,
  IndexStmt,
  Node,
  RangeVar,
} from 'libpg-query';
import { as, strings, typeInfo, typeLabel } from './ast.js';
import { columnsOfExpr, notNullColumnsOfCheck } from './exprs.js';
import type { QualifiedName } from './names.js';
import type { ParsedStatement } from './parser.js';
import { columnTypeOf, type SchemaState, type TableChanges } from './schema.js';

type Resolve = (rv: RangeVar | undefined) => QualifiedName | undefined;

export function applySchema(schema: SchemaState, stmt: ParsedStatement, resolve: Resolve): void {
  const { kind, body } = stmt;
  switch (kind) {
    case 'CreateStmt': {
      const s = body as CreateStmt;
      const q = s.if_not_exists ? undefined : resolve(s.relation);
      if (!q) return;
      const t = schema.create(q);
      for (const elt of s.tableElts ?? []) {
        const col = as<ColumnDef>(elt, 'ColumnDef');
        if (col) addColumn(t, col);
        const con = as<Constraint>(elt, 'Constraint');
        if (con) addConstraint(t, con);
      }
      return;
    }
    case 'AlterTableStmt': {
      const s = body as AlterTableStmt;
      const q = s.objtype === 'OBJECT_TABLE' ? resolve(s.relation) : undefined;
      if (!q) return;
      for (const c of s.cmds ?? []) {
        const cmd = as<AlterTableCmd>(c, 'AlterTableCmd');
        if (cmd) applyAlter(schema.changes(q), cmd);
      }
      return;
    }
    case 'IndexStmt': {
      const s = body as IndexStmt;
      const q = resolve(s.relation);
      if (q) schema.changes(q).indexes.push(indexColumns(s.indexParams));
      return;
    }
    case 'RenameStmt': {
      if (body.renameType !== 'OBJECT_COLUMN') return;
      const q = resolve(body.relation as RangeVar);
      const [from, to] = [body.subname as string | undefined, body.newname as string | undefined];
      if (!q || !from || !to) return;
      const type = schema.column(q, from);
      const t = schema.changes(q);
      t.columns.set(from, null);
      if (type) t.columns.set(to, type);
      return;
    }
    case 'DropStmt': {
      if (body.removeType !== 'OBJECT_TABLE') return;
      for (const o of (body.objects as Node[]) ?? []) {
        const parts = strings(as<{ items?: Node[] }>(o, 'List')?.items);
        const name = parts.pop();
        const q = name ? resolve({ relname: name, schemaname: parts.pop() } as RangeVar) : undefined;
        if (q) schema.drop(q);
      }
      return;
    }
    default:
      return;
  }
}

function applyAlter(t: TableChanges, cmd: AlterTableCmd): void {
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const col = as<ColumnDef>(cmd.def, 'ColumnDef');
      if (col) addColumn(t, col);
      return;
    }
    case 'AT_AlterColumnType': {
      const info = typeInfo(as<ColumnDef>(cmd.def, 'ColumnDef')?.typeName);
      if (cmd.name && info) t.columns.set(cmd.name, columnTypeOf(info, typeLabel(info)));
      return;
    }
    case 'AT_DropColumn':
      if (cmd.name) t.columns.set(cmd.name, null);
      return;
    case 'AT_AddConstraint': {
      const con = as<Constraint>(cmd.def, 'Constraint');
      if (con) addConstraint(t, con);
      return;
    }
    case 'AT_DropConstraint':
      if (!cmd.name) return;
      t.dropped.add(cmd.name);
      t.checks = t.checks.filter((c) => c.name !== cmd.name);
      return;
    case 'AT_ValidateConstraint': {
      if (!cmd.name) return;
      const own = t.checks.find((c) => c.name === cmd.name);
      if (own) own.validated = true;
      else t.validated.add(cmd.name);
      return;
    }
    default:
      return;
  }
}

function addColumn(t: TableChanges, col: ColumnDef): void {
  const info = typeInfo(col.typeName);
  if (!col.colname || !info) return;
  t.columns.set(col.colname, columnTypeOf(info, typeLabel(info)));
  t.added.add(col.colname);
  for (const c of col.constraints ?? []) {
    const con = as<Constraint>(c, 'Constraint');
    if (!con) continue;
    if (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') t.indexes.push([col.colname]);
    if (con.contype === 'CONSTR_CHECK') addConstraint(t, con, col.colname);
  }
}

/** A table constraint (or a column's CHECK, which may read other columns too). */
function addConstraint(t: TableChanges, con: Constraint, column?: string): void {
  if (con.contype === 'CONSTR_CHECK') {
    const columns = columnsOfExpr(con.raw_expr);
    if (column && !columns.includes(column)) columns.push(column);
    t.checks.push({
      name: con.conname,
      columns,
      notNullColumns: notNullColumnsOfCheck(con.raw_expr),
      validated: !con.skip_validation,
    });
  }
  if (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_EXCLUSION') {
    const keys = strings(con.keys);
    if (keys.length) t.indexes.push(keys);
  }
}

/** Columns an index reads: key columns, and the columns of key expressions. */
function indexColumns(params: Node[] | undefined): string[] {
  return (params ?? []).flatMap((p) => {
    const e = as<{ name?: string; expr?: Node }>(p, 'IndexElem');
    return e?.name ? [e.name] : columnsOfExpr(e?.expr);
  });
}

/** Statement-shape helpers shared by rules (which ALTER TABLE sub-commands, which column defs...). */
import type { AlterTableCmd, AlterTableStmt, ColumnDef, Constraint, CreateStmt, TypeName } from 'libpg-query';
import { as } from './ast.js';
import type { QualifiedName } from './names.js';
import type { RuleContext } from './rule.js';

export interface AlterTarget {
  stmt: AlterTableStmt;
  table: QualifiedName | undefined;
  cmds: AlterTableCmd[];
}

const alterCache = new WeakMap<object, AlterTarget>();

/** ALTER TABLE (not ALTER INDEX/VIEW/...) with its resolved table and sub-commands (computed once per statement). */
export function alterTable(ctx: RuleContext, objtypes: string[] = ['OBJECT_TABLE']): AlterTarget | undefined {
  if (ctx.stmt.kind !== 'AlterTableStmt') return undefined;
  const stmt = ctx.stmt.body as AlterTableStmt;
  if (!objtypes.includes(stmt.objtype ?? '')) return undefined;
  let target = alterCache.get(ctx.stmt);
  if (!target) {
    const cmds = (stmt.cmds ?? [])
      .map((c) => as<AlterTableCmd>(c, 'AlterTableCmd'))
      .filter((c): c is AlterTableCmd => c !== undefined);
    target = { stmt, table: ctx.resolveRange(stmt.relation), cmds };
    alterCache.set(ctx.stmt, target);
  }
  return target;
}

function constraintsOf(col: ColumnDef | undefined): Constraint[] {
  return (col?.constraints ?? [])
    .map((c) => as<Constraint>(c, 'Constraint'))
    .filter((c): c is Constraint => c !== undefined);
}

export function columnConstraint(col: ColumnDef | undefined, type: Constraint['contype']): Constraint | undefined {
  return constraintsOf(col).find((c) => c.contype === type);
}

export function columnDef(cmd: AlterTableCmd): ColumnDef | undefined {
  return as<ColumnDef>(cmd.def, 'ColumnDef');
}

export function constraintDef(cmd: AlterTableCmd): Constraint | undefined {
  return as<Constraint>(cmd.def, 'Constraint');
}

/**
 * The constraints of one type an ALTER TABLE adds with an index of their own (ADD CONSTRAINT, or a
 * column constraint of ADD COLUMN), leaving out `... USING INDEX`, which adopts a built index.
 */
export function constraintsBuildingIndex(
  cmds: readonly AlterTableCmd[],
  type: Constraint['contype'],
): { cmd: AlterTableCmd; constraint: Constraint }[] {
  return cmds.flatMap((cmd) => {
    const c =
      cmd.subtype === 'AT_AddConstraint'
        ? constraintDef(cmd)
        : cmd.subtype === 'AT_AddColumn'
          ? columnConstraint(columnDef(cmd), type)
          : undefined;
    return c && c.contype === type && !c.indexname ? [{ cmd, constraint: c }] : [];
  });
}

export interface ColumnSite {
  col: ColumnDef;
  table: QualifiedName | undefined;
  /** Added to an existing relation with ALTER TABLE ADD COLUMN (rather than in CREATE TABLE). */
  added: boolean;
}

/** Every column definition in CREATE TABLE or ALTER TABLE ADD COLUMN. */
export function columnSites(ctx: RuleContext): ColumnSite[] {
  if (ctx.stmt.kind === 'CreateStmt') {
    const s = ctx.stmt.body as CreateStmt;
    const table = ctx.resolveRange(s.relation);
    return (s.tableElts ?? [])
      .map((e) => as<ColumnDef>(e, 'ColumnDef'))
      .filter((c): c is ColumnDef => c !== undefined)
      .map((col) => ({ col, table, added: false }));
  }
  const alter = alterTable(ctx);
  if (!alter) return [];
  return alter.cmds
    .filter((c) => c.subtype === 'AT_AddColumn')
    .map((c) => columnDef(c))
    .filter((c): c is ColumnDef => c !== undefined)
    .map((col) => ({ col, table: alter.table, added: true }));
}

/** Every type written for a column: CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE. */
export function columnTypes(ctx: RuleContext): { column: string; type: TypeName; location: number | undefined }[] {
  const out = columnSites(ctx)
    .filter((s) => s.col.typeName)
    .map((s) => ({
      column: s.col.colname ?? '',
      type: s.col.typeName!,
      location: s.col.typeName!.location ?? s.col.location,
    }));
  const alter = alterTable(ctx);
  for (const c of alter?.cmds ?? []) {
    if (c.subtype !== 'AT_AlterColumnType') continue;
    const t = columnDef(c)?.typeName;
    if (t) out.push({ column: c.name ?? '', type: t, location: t.location });
  }
  return out;
}

/** serial types: a column of one gets a sequence DEFAULT (so every existing row a value). */
export const SERIAL_TYPES: ReadonlySet<string> = new Set([
  'serial',
  'bigserial',
  'smallserial',
  'serial2',
  'serial4',
  'serial8',
]);

export interface AddedColumn {
  col: ColumnDef;
  table: QualifiedName | undefined;
}

/**
 * The columns ALTER TABLE ... ADD COLUMN adds to a table that has rows to scan or rewrite (not
 * created earlier in the file, not known empty).
 */
export function addedColumns(ctx: RuleContext): AddedColumn[] {
  const alter = alterTable(ctx);
  if (!alter || ctx.isNewOrEmpty(alter.table)) return [];
  const out: AddedColumn[] = [];
  for (const cmd of alter.cmds) {
    const col = cmd.subtype === 'AT_AddColumn' ? columnDef(cmd) : undefined;
    if (col) out.push({ col, table: alter.table });
  }
  return out;
}

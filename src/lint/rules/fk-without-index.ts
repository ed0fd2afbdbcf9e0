import type { AlterTableStmt, ColumnDef, Constraint, CreateStmt, IndexStmt, Node } from 'libpg-query';
import { as, strings } from '../ast.js';
import { alterTable, columnConstraint, columnDef, constraintDef } from '../inspect.js';
import { display, keyOf, type QualifiedName } from '../names.js';
import { defineRule, type RuleContext } from '../rule.js';

function leading(index: (string | null)[], cols: string[]): boolean {
  return (
    cols.every((c, i) => index[i] === c) ||
    (index.length >= cols.length && cols.every((c) => index.slice(0, cols.length).includes(c)))
  );
}

/** Is there an index whose leading columns are the FK columns: in the catalog, or created anywhere in the file? */
function indexed(ctx: RuleContext, table: QualifiedName, cols: string[]): boolean {
  if (ctx.table(table)?.indexes.some((i) => leading(i.columns, cols))) return true;
  if (ctx.session.newTables.get(keyOf(table))?.indexes.some((i) => leading(i, cols))) return true;
  for (const s of ctx.statements) {
    if (s.kind === 'IndexStmt') {
      const idx = s.body as IndexStmt;
      const t = ctx.resolveRange(idx.relation);
      const keys = (idx.indexParams ?? []).map((p) => as<{ name?: string }>(p, 'IndexElem')?.name ?? null);
      if (t && keyOf(t) === keyOf(table) && leading(keys, cols)) return true;
    } else if (s.kind === 'AlterTableStmt' || s.kind === 'CreateStmt') {
      const rel = (s.body as AlterTableStmt | CreateStmt).relation;
      const t = ctx.resolveRange(rel);
      if (!t || keyOf(t) !== keyOf(table)) continue;
      const nodes =
        s.kind === 'CreateStmt'
          ? ((s.body as CreateStmt).tableElts ?? [])
          : ((s.body as AlterTableStmt).cmds ?? []).map(
              (c) => (c as { AlterTableCmd?: { def?: Node } }).AlterTableCmd?.def,
            );
      for (const n of nodes) {
        const con = as<Constraint>(n, 'Constraint');
        if (
          con &&
          (con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_UNIQUE') &&
          leading(strings(con.keys), cols)
        )
          return true;
        const col = as<ColumnDef>(n, 'ColumnDef');
        if (
          col?.colname &&
          cols.length === 1 &&
          cols[0] === col.colname &&
          (columnConstraint(col, 'CONSTR_PRIMARY') || columnConstraint(col, 'CONSTR_UNIQUE'))
        )
          return true;
      }
    }
  }
  return false;
}

export const fkWithoutIndex = defineRule({
  id: 'fk-without-index',
  severity: 'warning',
  defaultOn: false,
  kinds: ['CreateStmt', 'AlterTableStmt'],
  summary: 'a foreign key whose columns have no index',
  help: 'CREATE INDEX CONCURRENTLY on the referencing columns (zdm operation: createIndex)',
  check(ctx) {
    const fks: { table: QualifiedName | undefined; cols: string[] }[] = [];
    if (ctx.stmt.kind === 'CreateStmt') {
      const s = ctx.stmt.body as CreateStmt;
      const table = ctx.resolveRange(s.relation);
      for (const e of s.tableElts ?? []) {
        const con = as<Constraint>(e, 'Constraint');
        if (con?.contype === 'CONSTR_FOREIGN') fks.push({ table, cols: strings(con.fk_attrs) });
        const col = as<ColumnDef>(e, 'ColumnDef');
        if (col?.colname && columnConstraint(col, 'CONSTR_FOREIGN')) fks.push({ table, cols: [col.colname] });
      }
    } else {
      const alter = alterTable(ctx);
      for (const cmd of alter?.cmds ?? []) {
        const con = constraintDef(cmd);
        if (cmd.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_FOREIGN')
          fks.push({ table: alter?.table, cols: strings(con.fk_attrs) });
        const col = columnDef(cmd);
        if (cmd.subtype === 'AT_AddColumn' && col?.colname && columnConstraint(col, 'CONSTR_FOREIGN'))
          fks.push({ table: alter?.table, cols: [col.colname] });
      }
    }
    for (const fk of fks) {
      if (!fk.table || !fk.cols.length || indexed(ctx, fk.table, fk.cols)) continue;
      ctx.report({
        message:
          `foreign key on ${display(fk.table)} (${fk.cols.join(', ')}) has no index on those ` +
          `columns: every UPDATE or DELETE of a referenced row scans ${display(fk.table)}`,
      });
    }
  },
});

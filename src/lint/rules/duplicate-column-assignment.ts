import type { ColumnDef, InsertStmt, Node, ResTarget, UpdateStmt, ViewStmt } from 'libpg-query';
import { as, str } from '../ast.js';
import { alterTable, columnDef } from '../inspect.js';
import { defineRule } from '../rule.js';

function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}

/** The same column twice is a runtime error, possibly halfway through a non-transactional file. */
export const duplicateColumnAssignment = defineRule({
  id: 'duplicate-column-assignment',
  severity: 'error',
  defaultOn: true,
  kinds: ['CreateStmt', 'InsertStmt', 'UpdateStmt', 'ViewStmt', 'AlterTableStmt'],
  summary: 'the same column is defined or assigned twice in one statement',
  help: 'remove the duplicate',
  check(ctx) {
    const { kind, body } = ctx.stmt;
    let names: string[] = [];
    let what = '';
    if (kind === 'CreateStmt') {
      names = ((body.tableElts as Node[]) ?? [])
        .map((e) => as<ColumnDef>(e, 'ColumnDef')?.colname)
        .filter((n): n is string => n !== undefined);
      what = 'CREATE TABLE defines';
    } else if (kind === 'InsertStmt') {
      names = ((body as InsertStmt).cols ?? []).map((c) => as<ResTarget>(c, 'ResTarget')?.name ?? '');
      what = 'INSERT lists';
    } else if (kind === 'UpdateStmt') {
      names = ((body as UpdateStmt).targetList ?? []).map((c) => as<ResTarget>(c, 'ResTarget')?.name ?? '');
      what = 'UPDATE assigns';
    } else if (kind === 'ViewStmt') {
      names = ((body as ViewStmt).aliases ?? []).map((a) => str(a) ?? '');
      what = 'CREATE VIEW names';
    } else if (kind === 'AlterTableStmt') {
      names = (alterTable(ctx)?.cmds ?? [])
        .filter((c) => c.subtype === 'AT_AddColumn')
        .map((c) => columnDef(c)?.colname ?? '');
      what = 'ALTER TABLE adds';
    }
    for (const d of duplicates(names.filter(Boolean)))
      ctx.report({ message: `${what} column ${d} more than once: the statement fails at run time` });
  },
});

import type { ColumnDef, Node, ResTarget } from 'libpg-query';
import { as, str, strings } from '../ast.js';
import { alterTable, columnDef } from '../inspect.js';
import { defineRule } from '../rule.js';

/** A column written in a list; `indirect` for a field or element of it (`a.x`, `arr[1]`). */
interface Target {
  name: string;
  indirect: boolean;
}

/**
 * Columns named more than once. Postgres allows several assignments to one column only when each
 * sets a different field or element (`SET a.x = 1, a.y = 2`, `SET arr[1] = 1, arr[2] = 2`).
 */
function duplicates(targets: Target[]): string[] {
  const byName = new Map<string, Target[]>();
  for (const t of targets) if (t.name) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
  return [...byName].filter(([, ts]) => ts.length > 1 && ts.some((t) => !t.indirect)).map(([n]) => n);
}

function resTargets(list: Node[] | undefined): Target[] {
  return (list ?? []).map((n) => {
    const r = as<ResTarget>(n, 'ResTarget');
    return { name: r?.name ?? '', indirect: (r?.indirection?.length ?? 0) > 0 };
  });
}

function columnDefs(list: Node[] | undefined): Target[] {
  return (list ?? []).map((e) => ({ name: as<ColumnDef>(e, 'ColumnDef')?.colname ?? '', indirect: false }));
}

/** Output column names of a SELECT (explicit aliases and plain column references; others are not named). */
function outputNames(select: Node | undefined, aliases: Node[] | undefined): Target[] {
  const s = as<{ targetList?: Node[] }>(select, 'SelectStmt');
  const names = (s?.targetList ?? []).map((n) => {
    const r = as<ResTarget>(n, 'ResTarget');
    if (r?.name) return r.name;
    const fields = as<{ fields?: Node[] }>(r?.val, 'ColumnRef')?.fields;
    return fields?.length ? (str(fields[fields.length - 1]) ?? '') : '';
  });
  const named = strings(aliases);
  return names.map((n, i) => ({ name: named[i] ?? n, indirect: false }));
}

/** The lists of one statement that must not name a column twice, with what the statement does. */
function columnLists(kind: string, body: Record<string, unknown>): { what: string; targets: Target[] }[] {
  switch (kind) {
    case 'CreateStmt':
      return [{ what: 'CREATE TABLE defines', targets: columnDefs(body.tableElts as Node[]) }];
    case 'CreateForeignTableStmt':
      return [
        {
          what: 'CREATE FOREIGN TABLE defines',
          targets: columnDefs((body.base as { tableElts?: Node[] } | undefined)?.tableElts),
        },
      ];
    case 'InsertStmt': {
      const conflict = body.onConflictClause as { targetList?: Node[] } | undefined;
      return [
        { what: 'INSERT lists', targets: resTargets(body.cols as Node[]) },
        { what: 'ON CONFLICT DO UPDATE assigns', targets: resTargets(conflict?.targetList) },
      ];
    }
    case 'UpdateStmt':
      return [{ what: 'UPDATE assigns', targets: resTargets(body.targetList as Node[]) }];
    case 'MergeStmt':
      return ((body.mergeWhenClauses as Node[]) ?? []).map((n) => {
        const w = as<{ commandType?: string; targetList?: Node[] }>(n, 'MergeWhenClause');
        const insert = w?.commandType === 'CMD_INSERT';
        return {
          what: insert ? 'MERGE ... INSERT lists' : 'MERGE ... UPDATE assigns',
          targets: resTargets(w?.targetList),
        };
      });
    case 'ViewStmt':
      return [{ what: 'CREATE VIEW names', targets: outputNames(body.query as Node, body.aliases as Node[]) }];
    case 'CreateTableAsStmt': {
      const into = body.into as { colNames?: Node[] } | undefined;
      return [{ what: 'CREATE TABLE AS names', targets: outputNames(body.query as Node, into?.colNames) }];
    }
    case 'SelectStmt': {
      const into = body.intoClause as { colNames?: Node[] } | undefined;
      if (!into) return [];
      return [{ what: 'SELECT ... INTO names', targets: outputNames({ SelectStmt: body } as Node, into.colNames) }];
    }
    default:
      return [];
  }
}

/** The same column twice is a runtime error, possibly halfway through a non-transactional file. */
export const duplicateColumnAssignment = defineRule({
  id: 'duplicate-column-assignment',
  severity: 'error',
  defaultOn: true,
  kinds: [
    'CreateStmt',
    'CreateForeignTableStmt',
    'InsertStmt',
    'UpdateStmt',
    'MergeStmt',
    'ViewStmt',
    'CreateTableAsStmt',
    'SelectStmt',
    'AlterTableStmt',
  ],
  summary: 'the same column is defined or assigned twice in one statement',
  help: 'remove the duplicate',
  check(ctx) {
    const { kind, body } = ctx.stmt;
    const lists = columnLists(kind, body);
    if (kind === 'AlterTableStmt') {
      const added = (alterTable(ctx)?.cmds ?? []).filter((c) => c.subtype === 'AT_AddColumn');
      lists.push({
        what: 'ALTER TABLE adds',
        targets: added.map((c) => ({ name: columnDef(c)?.colname ?? '', indirect: false })),
      });
    }
    for (const { what, targets } of lists)
      for (const d of duplicates(targets))
        ctx.report({ message: `${what} column ${d} more than once: the statement fails at run time` });
  },
});

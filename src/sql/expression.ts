import { deparseSync } from 'pgsql-deparser';
import { deparseSql } from './deparse.js';
import { parseSql } from './parser.js';
import { walk, type Node } from './rewrite.js';

/**
 * User-given SQL fragments in migration files (`using`, `up`, `down`, `default`, `check`, column
 * types): checked on the real parser before anything runs, and rewritten on the parse tree.
 * A fragment that is not exactly one expression (or one type name) is refused, so text such as
 * `1 FROM users` or `int; DROP TABLE x` can never reach the statements zdm builds around it.
 */

/** Parses `SELECT <fragment>`; the error names the position inside the fragment. */
function parsePrefixed(prefix: string, fragment: string, what: string): Node {
  let tree;
  try {
    tree = parseSql(`${prefix}${fragment}`);
  } catch (err) {
    const at = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    const where = at !== undefined && at > prefix.length ? ` (at character ${at - prefix.length})` : '';
    throw new Error(`is not one SQL ${what}: ${(err as Error).message}${where}`, { cause: err });
  }
  const stmts = tree.stmts ?? [];
  const select = (stmts[0]?.stmt as { SelectStmt?: Node } | undefined)?.SelectStmt;
  const extra = select ? Object.keys(select).filter((k) => !['targetList', 'limitOption', 'op'].includes(k)) : [];
  const targets = (select?.targetList as Node[] | undefined) ?? [];
  const target = targets[0]?.ResTarget as Node | undefined;
  if (
    stmts.length !== 1 ||
    !select ||
    extra.length > 0 ||
    targets.length !== 1 ||
    !target ||
    target.name !== undefined
  ) {
    throw new Error(`is not one SQL ${what}`);
  }
  return target.val as Node;
}

/** Checks that `expression` is exactly one SQL expression; throws with a message otherwise. */
export function checkExpression(expression: string): void {
  const value = parsePrefixed('SELECT ', expression, 'expression');
  let star = false;
  walk(value, (key) => {
    if (key === 'A_Star') star = true;
  });
  if (star) throw new Error('is not one SQL expression (`*` is not allowed)');
}

/**
 * Unqualified column names an expression refers to. Qualified references (`users.name`) are
 * refused: zdm evaluates expressions on one row in triggers and backfills, where only bare
 * column names mean the same thing.
 */
export function expressionColumns(expression: string): Set<string> {
  const value = parsePrefixed('SELECT ', expression, 'expression');
  const names = new Set<string>();
  walk({ value }, (key, node) => {
    if (key !== 'ColumnRef') return;
    const fields = node.fields as Node[] | undefined;
    const first = fields?.[0]?.String as { sval?: string } | undefined;
    if (fields?.length === 1 && first?.sval !== undefined) names.add(first.sval);
    else throw new Error('refers to a qualified column; write column names without a table name');
  });
  return names;
}

/** The expression with unqualified column references renamed (`c::int` -> `c_zdm_new::int`). */
export function renameInExpression(expression: string, renames: ReadonlyMap<string, string>): string {
  return mapColumnRefs(expression, (name) =>
    renames.has(name) ? { ColumnRef: { fields: [{ String: { sval: renames.get(name)! } }] } } : undefined,
  );
}

/** The expression with every reference to `column` replaced by `(replacement)`. */
export function substituteColumn(expression: string, column: string, replacement: string): string {
  const value = parsePrefixed('SELECT ', replacement, 'expression');
  return mapColumnRefs(expression, (name) => (name === column ? structuredClone(value) : undefined));
}

function mapColumnRefs(expression: string, replace: (name: string) => Node | undefined): string {
  const tree = parseSql(`SELECT ${expression}`);
  // Collect first, replace after the walk: a replacement is never walked into again.
  const edits: (() => void)[] = [];
  walk(tree, (_key, node) => {
    for (const [k, child] of Object.entries(node)) {
      const list = Array.isArray(child) ? (child as Node[]) : [child as Node];
      list.forEach((item, i) => {
        const ref = (item as Node | null)?.ColumnRef as Node | undefined;
        const fields = ref?.fields as Node[] | undefined;
        const name = fields?.length === 1 ? (fields[0]!.String as { sval?: string } | undefined)?.sval : undefined;
        const next = name === undefined ? undefined : replace(name);
        if (!next) return;
        edits.push(Array.isArray(child) ? () => ((child as Node[])[i] = next) : () => (node[k] = next));
      });
    }
  });
  for (const edit of edits) edit();
  const sql = deparseSql(tree);
  if (!sql.startsWith('SELECT ')) throw new Error(`cannot rewrite expression: ${expression}`);
  return sql.slice('SELECT '.length);
}

/** A type name as written in a migration, checked and printed back by the deparser. */
export interface TypeName {
  /** SQL for the type: `varchar(50)`, `numeric(12, 2)`, `public.status[]`. */
  sql: string;
  /** Name parts without `pg_catalog`: `['varchar']`, `['public', 'status']`. */
  names: string[];
  /** Type modifiers, when all are integer constants: `[12, 2]`. */
  typmods: number[];
  isArray: boolean;
}

export function parseTypeName(text: string): TypeName {
  const value = parsePrefixed('SELECT NULL::', text, 'type name');
  const cast = value.TypeCast as { arg?: Node; typeName?: Node } | undefined;
  const nullArg = (cast?.arg?.A_Const as { isnull?: boolean } | undefined)?.isnull;
  if (!cast?.typeName || !nullArg) throw new Error('is not one SQL type name');
  const typeName = cast.typeName;
  const names = ((typeName.names as Node[] | undefined) ?? [])
    .map((n) => (n.String as { sval: string }).sval)
    .filter((n, i, all) => !(i === 0 && all.length > 1 && n === 'pg_catalog'));
  const typmods = ((typeName.typmods as Node[] | undefined) ?? []).map(
    (m) => (m.A_Const as { ival?: { ival?: number } } | undefined)?.ival?.ival ?? NaN,
  );
  return {
    sql: deparseSync({ TypeName: typeName } as never),
    names,
    typmods,
    isArray: Array.isArray(typeName.arrayBounds),
  };
}

/* Facts about a user expression that decide a strategy (volatility, serial types). */

export type Volatility = 'i' | 's' | 'v';

export interface ExpressionInfo {
  /** The text to put into SQL: as written when it is one constant, cast, call or column, else in parentheses. */
  sql: string;
  /** Column names it reads (the last part of each reference). */
  columns: Set<string>;
  /** Functions it calls, as written: `gen_random_uuid`, `pg_catalog.now`. */
  functions: string[];
  /** SQL value functions (CURRENT_TIMESTAMP, CURRENT_USER, ...): all STABLE. */
  valueFunctions: number;
  /** It contains a subquery (its column references may belong to other tables). */
  subquery: boolean;
}

/** Throws an Error whose message says what is wrong with `text`. */
export function parseExpression(text: string): ExpressionInfo {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error('is empty');
  const value = parsePrefixed('SELECT (', `${trimmed})`, 'expression');
  const info: ExpressionInfo = {
    sql: isSimple(value) ? trimmed : `(${trimmed})`,
    columns: new Set(),
    functions: [],
    valueFunctions: 0,
    subquery: false,
  };
  walk({ value }, (key, node) => {
    if (key === 'ColumnRef') {
      const fields = node.fields as Node[];
      const last = fields[fields.length - 1]?.String as { sval?: string } | undefined;
      if (last?.sval !== undefined) info.columns.add(last.sval);
    } else if (key === 'FuncCall') {
      info.functions.push((node.funcname as Node[]).map((n) => (n.String as { sval: string }).sval).join('.'));
    } else if (key === 'SQLValueFunction') {
      info.valueFunctions++;
    } else if (key === 'SubLink') {
      info.subquery = true;
    }
  });
  return info;
}

function isSimple(value: Node): boolean {
  if ('A_Const' in value || 'FuncCall' in value || 'SQLValueFunction' in value || 'ColumnRef' in value) return true;
  const cast = value.TypeCast as Node | undefined;
  return cast !== undefined && 'A_Const' in (cast.arg as Node);
}

/**
 * The most volatile function an expression calls, given each function's volatility from pg_proc
 * (the most volatile overload of that name). A function the catalog does not know counts as
 * volatile: the cautious answer (a backfill instead of a metadata-only default) is never unsafe.
 */
export function expressionVolatility(
  info: ExpressionInfo,
  functions: ReadonlyMap<string, Volatility> | undefined,
): Volatility {
  let worst: Volatility = info.valueFunctions > 0 ? 's' : 'i';
  for (const name of info.functions) {
    const v = functions?.get(name) ?? 'v';
    if (v === 'v') return 'v';
    if (v === 's') worst = 's';
  }
  return worst;
}

/** A column type as written (`varchar(50)`, `numeric(12,2)`, `text COLLATE "C"`, `public.status[]`). */
export interface ColumnTypeInfo {
  /** serial, bigserial, smallserial: a sequence default, which rewrites the table when added. */
  serial: boolean;
}

export function parseColumnType(text: string): ColumnTypeInfo {
  const trimmed = text.trim();
  let tree;
  try {
    tree = parseSql(`CREATE TABLE zdm_placeholder (zdm_placeholder ${trimmed})`);
  } catch (err) {
    throw new Error(`is not a column type: ${(err as Error).message}`, { cause: err });
  }
  const create = (tree.stmts?.length === 1 ? tree.stmts[0]!.stmt : undefined) as { CreateStmt?: Node } | undefined;
  const elements = create?.CreateStmt?.tableElts as Node[] | undefined;
  const column = elements?.length === 1 ? (elements[0]!.ColumnDef as Node | undefined) : undefined;
  if (!column) throw new Error('is not a column type');
  if (column.constraints)
    throw new Error('must be only a type: give NOT NULL, DEFAULT, CHECK, REFERENCES and UNIQUE in their own fields');
  const names = ((column.typeName as Node).names as Node[]).map((n) => (n.String as { sval: string }).sval);
  return { serial: /^(small|big)?serial[248]?$/.test(names[names.length - 1] ?? '') };
}

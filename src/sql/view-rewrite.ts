import type { ParseResult } from 'libpg-query';
import type { QualifiedName } from '../db/quote.js';
import { deparseSql } from './deparse.js';
import { parseSql } from './parser.js';
import { walk, type Node } from './rewrite.js';

/** A view's query on renamed columns, or why it cannot be rewritten safely. */
export type ViewRewrite = { query: string } | { refusal: string };

/**
 * Rewrites a view's query (pg_get_viewdef read with search_path = pg_catalog, so every table is
 * schema-qualified and every column reference qualified by its range name) so that the columns of
 * `table` in `renames` are read under their new names, on the parse tree.
 *
 * Sound only when each qualified reference `name.column` resolves without doubt: a range name that
 * stands for `table` somewhere and for something else elsewhere, an unqualified reference to a
 * renamed column, a USING or NATURAL join over it, and column aliases on `table` are refused (with
 * the reason), never guessed. The deparser's round trip is checked too: the unmodified query must
 * parse back to the same tree, else the view is refused rather than recreated differently.
 */
export function rewriteViewQuery(
  definition: string,
  table: QualifiedName,
  renames: ReadonlyMap<string, string>,
): ViewRewrite {
  const tree = parseSql(definition);
  if (!deparsesFaithfully(tree)) return { refusal: 'its definition does not survive the SQL printer unchanged' };
  const refusal = renameReferences(tree, table, renames);
  if (refusal) return { refusal };
  return { query: deparseSql(tree).replace(/;\s*$/, '') };
}

/**
 * Renames, in place, the references to `table`'s columns in `renames` anywhere in `tree` (queries,
 * subqueries, and the target columns of INSERT and UPDATE on `table`); returns why it cannot be
 * done for sure instead, touching nothing that matters (the caller drops the tree).
 */
export function renameReferences(
  tree: unknown,
  table: QualifiedName,
  renames: ReadonlyMap<string, string>,
): string | null {
  const unsure = rewriteReferences(tree, table, renames, (ref) => {
    const fields = ref.fields as Node[];
    const col = (fields[fields.length - 1]!.String as { sval: string }).sval;
    (fields[fields.length - 1]!.String as { sval: string }).sval = renames.get(col)!;
  });
  if (unsure === null) renameTargets(tree, table, renames);
  return unsure;
}

/**
 * A view's query with every reference to a column of `table` in `substitutes` replaced by that
 * column's expression (SQL over `table`'s columns, written without qualifiers), its column
 * references qualified by the reference's own qualifier (or, for a bare reference, by the range name
 * of the one relation its query level reads): what transformColumn's `down` gives the view.
 * Refused exactly where a rename would be (rewriteViewQuery).
 */
export function substituteViewQuery(
  definition: string,
  table: QualifiedName,
  substitutes: ReadonlyMap<string, string>,
): ViewRewrite {
  const tree = parseSql(definition);
  if (!deparsesFaithfully(tree)) return { refusal: 'its definition does not survive the SQL printer unchanged' };
  const refusal = rewriteReferences(tree, table, substitutes, (ref, holder, qualifier) => {
    const fields = strings(ref.fields);
    const expression = expressionNode(substitutes.get(fields[fields.length - 1]!)!, qualifier);
    delete holder.ColumnRef;
    Object.assign(holder, expression);
  });
  if (refusal) return { refusal };
  return { query: deparseSql(tree).replace(/;\s*$/, '') };
}

/** `expression` parsed, every (bare) column reference in it qualified by `qualifier`. */
function expressionNode(expression: string, qualifier: string[]): Node {
  const select = parseSql(`SELECT ${expression}`).stmts![0]!.stmt as Node;
  const value = (((select.SelectStmt as Node).targetList as Node[])[0]!.ResTarget as Node).val as Node;
  walk(value, (key, node) => {
    if (key !== 'ColumnRef') return;
    const fields = node.fields as Node[];
    if (fields.length === 1) node.fields = [...qualifier.map((sval) => ({ String: { sval } })), ...fields];
  });
  return value;
}

/**
 * Calls `act` on each reference in `tree` to a column of `table` in `columns` that certainly reads
 * `table`, with the node holding it and the qualifier that names `table` there; returns why the
 * references cannot be told for sure instead (then `act` may have run on some: drop the tree).
 */
function rewriteReferences(
  tree: unknown,
  table: QualifiedName,
  columns: ReadonlyMap<string, string>,
  act: (ref: Node, holder: Node, qualifier: string[]) => void,
): string | null {
  const names = rangeNames(tree, table);
  const doubtful = [...names.ours].filter((n) => names.others.has(n));
  if (doubtful.length > 0) return `the name "${doubtful[0]}" stands for more than one relation in it`;
  const problem = findProblem(tree, names.ours, columns);
  if (problem) return problem;
  let unsure: string | null = null;
  walkScoped(tree, null, (ref, level, holder) => {
    const fields = strings(ref.fields);
    const col = fields[fields.length - 1]!;
    if (!columns.has(col)) return;
    const prefix = fields.slice(0, -1);
    // Postgres 16+ prints a query level with one relation without qualifiers: there, a bare name is that relation's.
    const mine = prefix.length === 0 ? soleRelationIsTable(level, table) : qualifiesTable(prefix, names.ours, table);
    if (prefix.length === 0 && !mine)
      unsure ??= `it names "${col}" without a table, so which relation it reads cannot be known for sure`;
    if (mine) act(ref, holder, prefix.length > 0 ? prefix : [soleRangeName(level!)]);
  });
  return unsure;
}

/** INSERT INTO table (col, ...) and UPDATE table SET col = ...: the target columns of `table`. */
function renameTargets(tree: unknown, table: QualifiedName, renames: ReadonlyMap<string, string>): void {
  walk(tree, (key, value) => {
    if (key !== 'InsertStmt' && key !== 'UpdateStmt') return;
    if (!isTable(value.relation as Node | undefined, table)) return;
    const targets = (key === 'InsertStmt' ? value.cols : value.targetList) as Node[] | undefined;
    for (const t of targets ?? []) {
      const target = t.ResTarget as { name?: string } | undefined;
      if (target?.name !== undefined && renames.has(target.name)) target.name = renames.get(target.name)!;
    }
  });
}

function isTable(rangeVar: Node | undefined, table: QualifiedName): boolean {
  return rangeVar !== undefined && rangeVar.schemaname === table.schema && rangeVar.relname === table.name;
}

function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return (list as Node[]).map((n) => (n.String as { sval?: string } | undefined)?.sval ?? '*');
}

function qualifiesTable(prefix: string[], ours: ReadonlySet<string>, table: QualifiedName): boolean {
  if (prefix.length === 1) return ours.has(prefix[0]!);
  if (prefix.length === 2) return prefix[0] === table.schema && prefix[1] === table.name;
  return false;
}

/** Range names used for `table` (alias or table name) and for anything else, over the whole query. */
function rangeNames(tree: unknown, table: QualifiedName): { ours: Set<string>; others: Set<string> } {
  const ours = new Set<string>();
  const others = new Set<string>();
  walk(tree, (key, value) => {
    const alias = (value.alias as { aliasname?: string } | undefined)?.aliasname;
    if (key === 'RangeVar') {
      const mine = value.schemaname === table.schema && value.relname === table.name;
      (mine ? ours : others).add(alias ?? (value.relname as string));
    } else if (key === 'CommonTableExpr') others.add(value.ctename as string);
    else if (alias !== undefined && key !== 'RangeVar') others.add(alias);
  });
  return { ours, others };
}

/** Why the query cannot be rewritten by qualified references alone, if it cannot. */
function findProblem(tree: unknown, ours: ReadonlySet<string>, renames: ReadonlyMap<string, string>): string | null {
  let problem: string | null = null;
  walk(tree, (key, value) => {
    if (problem) return;
    if (key === 'JoinExpr') {
      const using = strings(value.usingClause).find((c) => renames.has(c));
      if (using) problem = `it joins USING ("${using}"), which cannot name two different columns`;
      else if (value.isNatural) problem = 'it has a NATURAL join, whose columns are matched by name';
    } else if (key === 'RangeVar' && ours.has(rangeName(value))) {
      const colnames = (value.alias as { colnames?: unknown[] } | undefined)?.colnames;
      if (colnames?.length) problem = 'it gives the table column aliases';
    } else if (key === 'IndexElem' && renames.has(value.name as string)) {
      problem = `it names "${value.name as string}" as an index column (ON CONFLICT), whose table is not certain`;
    }
  });
  return problem;
}

/** Calls `visit` for each ColumnRef with the SelectStmt (query level) it belongs to. */
function walkScoped(
  node: unknown,
  level: Node | null,
  visit: (ref: Node, level: Node | null, holder: Node) => void,
): void {
  if (Array.isArray(node)) {
    for (const item of node) walkScoped(item, level, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Node)) {
    if (value === null || typeof value !== 'object') continue;
    if (key === 'ColumnRef') visit(value as Node, level, node as Node);
    walkScoped(value, LEVELS.has(key) ? (value as Node) : level, visit);
  }
}

/** The statements whose column references resolve against their own relations: query levels. */
const LEVELS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt']);

/** The query level reads exactly one relation, `table` itself (no join, subquery or function). */
function soleRelationIsTable(level: Node | null, table: QualifiedName): boolean {
  if (level === null) return false;
  // UPDATE t / DELETE FROM t / INSERT INTO t: the target, unless FROM or USING adds relations.
  const more = [
    ...((level.fromClause as Node[] | undefined) ?? []),
    ...((level.usingClause as Node[] | undefined) ?? []),
  ];
  if (level.relation !== undefined) return more.length === 0 && isTable(level.relation as Node, table);
  const only = more.length === 1 ? (more[0]!.RangeVar as Node | undefined) : undefined;
  return isTable(only, table);
}

/** The range name of the one relation a query level reads (soleRelationIsTable holds). */
function soleRangeName(level: Node): string {
  const only = (level.relation as Node | undefined) ?? ((level.fromClause as Node[])[0]!.RangeVar as Node);
  return rangeName(only);
}

function rangeName(rangeVar: Node): string {
  return (rangeVar.alias as { aliasname?: string } | undefined)?.aliasname ?? (rangeVar.relname as string);
}

/** The tree printed and parsed again is the same tree (source positions aside). */
export function deparsesFaithfully(tree: ParseResult): boolean {
  const again = parseSql(deparseSql(tree));
  return stripLocations(again) === stripLocations(tree);
}

function stripLocations(tree: unknown): string {
  return JSON.stringify(tree, (key, value: unknown) =>
    key === 'location' || key === 'stmt_len' || key === 'stmt_location' ? undefined : value,
  );
}

/**
 * A view's query reading other relations in place of some it reads (`targets`: `schema.name` ->
 * the relation to read instead), on the parse tree; null when the query does not print back to the
 * same tree. For compiling the views built on a view against a temporary copy of it.
 */
export function retargetRelations(definition: string, targets: ReadonlyMap<string, QualifiedName>): string | null {
  const tree = parseSql(definition);
  if (!deparsesFaithfully(tree)) return null;
  walk(tree, (key, value) => {
    if (key !== 'RangeVar' || typeof value.relname !== 'string') return;
    const to = targets.get(`${String(value.schemaname ?? '')}.${value.relname}`);
    if (!to) return;
    // References qualified by the relation's own name keep resolving: it becomes the alias.
    if (!value.alias) value.alias = { aliasname: value.relname };
    value.schemaname = to.schema;
    value.relname = to.name;
  });
  return deparseSql(tree).replace(/;\s*$/, '');
}

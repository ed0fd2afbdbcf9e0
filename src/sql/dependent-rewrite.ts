import type { QualifiedName } from '../db/quote.js';
import { quoteQualified } from '../db/quote.js';
import { deparseNode, deparseSql } from './deparse.js';
import { parseSql, scanSql } from './parser.js';
import { walk, type Node } from './rewrite.js';
import { deparsesFaithfully, renameReferences } from './view-rewrite.js';

/** A dependent's SQL on the renamed columns, or why it cannot be rewritten for sure. */
export type DependentRewrite = { sql: string } | { refusal: string };

const UNFAITHFUL = 'its definition does not survive the SQL printer unchanged';

/**
 * A policy's USING or WITH CHECK expression (pg_get_expr on the policy's table `on`, read with
 * search_path = pg_catalog) on the renamed columns of `table`. The expression is read as the WHERE
 * clause of a query on `on`, so its bare names are `on`'s columns and a subquery's are qualified,
 * exactly as the view rewrite reads a query (policies on other tables name `table` in subqueries).
 */
export function rewritePolicyExpression(
  expression: string,
  on: QualifiedName,
  table: QualifiedName,
  renames: ReadonlyMap<string, string>,
): DependentRewrite {
  const tree = parseSql(`SELECT FROM ${quoteQualified(on)} WHERE ${expression}`);
  if (!deparsesFaithfully(tree)) return { refusal: UNFAITHFUL };
  const refusal = renameReferences(tree, table, renames);
  if (refusal) return { refusal };
  const select = (tree.stmts![0]!.stmt as Node).SelectStmt as Node;
  return { sql: deparseNode(select.whereClause) };
}

/**
 * A trigger's definition (pg_get_triggerdef) with its UPDATE OF list and its WHEN clause's
 * `old.column` / `new.column` on the new names (WHEN may only name the table's own columns, through OLD
 * and NEW, and cannot hold a subquery).
 */
export function rewriteTriggerDefinition(definition: string, renames: ReadonlyMap<string, string>): DependentRewrite {
  const tree = parseSql(definition);
  if (!deparsesFaithfully(tree)) return { refusal: UNFAITHFUL };
  const stmt = (tree.stmts![0]!.stmt as Node).CreateTrigStmt as Node | undefined;
  if (!stmt) return { refusal: 'its definition is not a CREATE TRIGGER statement' };
  for (const c of (stmt.columns as Node[] | undefined) ?? []) {
    const s = c.String as { sval: string };
    if (renames.has(s.sval)) s.sval = renames.get(s.sval)!;
  }
  walk(stmt.whenClause, (key, value) => {
    if (key !== 'ColumnRef') return;
    const fields = value.fields as Node[];
    const last = fields[fields.length - 1]!.String as { sval: string } | undefined;
    if (last && fields.length === 2 && renames.has(last.sval)) last.sval = renames.get(last.sval)!;
  });
  return { sql: deparseSql(tree).replace(/;\s*$/, '') };
}

/**
 * A trigger's definition with the new names of renamed columns added to its UPDATE OF list (the
 * old ones kept, WHEN untouched), so it fires for an UPDATE of either; null when it has no such list.
 */
export function widenTriggerColumns(definition: string, renames: ReadonlyMap<string, string>): string | null {
  const tree = parseSql(definition);
  const stmt = (tree.stmts![0]!.stmt as Node).CreateTrigStmt as Node | undefined;
  const columns = stmt?.columns as Node[] | undefined;
  const added = (columns ?? []).flatMap((c) => {
    const name = (c.String as { sval: string }).sval;
    return renames.has(name) ? [{ String: { sval: renames.get(name)! } }] : [];
  });
  if (!columns || added.length === 0) return null;
  columns.push(...added);
  return deparseSql(tree).replace(/;\s*$/, '');
}

/**
 * A SQL-standard function's definition (pg_get_functiondef, search_path = pg_catalog: CREATE OR
 * REPLACE FUNCTION ... BEGIN ATOMIC ... END or RETURN ...) with its body on the new names. A
 * parameter named like a renamed column is refused (a bare name could be either).
 */
export function rewriteFunctionDefinition(
  definition: string,
  argNames: readonly string[],
  table: QualifiedName,
  renames: ReadonlyMap<string, string>,
): DependentRewrite {
  const clash = argNames.find((a) => renames.has(a));
  if (clash) return { refusal: `a parameter is named "${clash}" like the column` };
  const tree = parseSql(definition);
  if (!deparsesFaithfully(tree)) return { refusal: UNFAITHFUL };
  const rowParam = rowTypeParameter(tree, table);
  if (rowParam !== undefined && namesInSource(definition, [...renames.keys()]).length > 0)
    return {
      refusal:
        `it takes the table's row type (parameter ${rowParam}) and may read the column through it, ` +
        `which zdm cannot rewrite: Postgres would keep it on the old column, and contract could not drop it`,
    };
  const refusal = renameReferences(tree, table, renames);
  if (refusal) return { refusal };
  return { sql: deparseSql(tree).replace(/;\s*$/, '') };
}

/** The name (or position) of a parameter of a CREATE FUNCTION whose type is `table`'s row type or an array of it. */
function rowTypeParameter(tree: ReturnType<typeof parseSql>, table: QualifiedName): string | undefined {
  const stmt = (tree.stmts?.[0]?.stmt as Node | undefined)?.CreateFunctionStmt as Node | undefined;
  const parameters = (stmt?.parameters as Node[] | undefined) ?? [];
  for (const [i, p] of parameters.entries()) {
    const param = p.FunctionParameter as Node;
    const names = (((param.argType as Node | undefined)?.names as Node[] | undefined) ?? []).map(
      (n) => (n.String as { sval: string }).sval,
    );
    const [schema, name] = names.length > 1 ? names.slice(-2) : [undefined, names[0]];
    if (name === table.name && (schema === undefined || schema === table.schema))
      return (param.name as string | undefined) ?? `$${i + 1}`;
  }
  return undefined;
}

/**
 * Which of `names` a function body names, read with the Postgres scanner (PL/pgSQL and SQL share
 * it): identifiers and keywords folded like SQL names, string literals (dynamic SQL) scanned the
 * same way, comments ignored. A body the scanner cannot read names everything it mentions as text.
 */
export function namesInSource(source: string, names: readonly string[]): string[] {
  const found = new Set<string>();
  collectNames(source, new Set(names), found, 0);
  return names.filter((n) => found.has(n));
}

function collectNames(source: string, wanted: ReadonlySet<string>, found: Set<string>, depth: number): void {
  let tokens;
  try {
    tokens = scanSql(source).tokens;
  } catch {
    for (const n of wanted) if (source.toLowerCase().includes(n.toLowerCase())) found.add(n);
    return;
  }
  for (const t of tokens) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') continue;
    if (t.tokenName === 'SCONST') {
      if (depth < 3) collectNames(unquoteString(t.text), wanted, found, depth + 1);
      continue;
    }
    const name = t.text.startsWith('"') ? t.text.slice(1, -1).replaceAll('""', '"') : t.text.toLowerCase();
    if (wanted.has(name)) found.add(name);
  }
}

function unquoteString(text: string): string {
  const dollar = /^\$([^$]*)\$([\s\S]*)\$\1\$$/.exec(text);
  if (dollar) return dollar[2]!;
  const body = text.replace(/^[EeNn]?'/, '').replace(/'$/, '');
  return body.replaceAll("''", "'");
}

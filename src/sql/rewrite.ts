import type { ParseResult } from 'libpg-query';
import { deparseSql } from './deparse.js';
import { parseSql } from './parser.js';

/**
 * Rewrites of SQL that Postgres itself printed (pg_get_indexdef, pg_get_constraintdef), done on
 * the parse tree and printed back with the deparser: never string replacement over SQL, where a
 * column named like a function, type or the table itself would be mangled.
 */

export type Node = Record<string, unknown>;

/** Visits every object in a parse tree, depth first. */
export function walk(node: unknown, visit: (key: string, value: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node as Node)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) visit(key, value as Node);
    walk(value, visit);
  }
}

function renameStrings(list: unknown, renames: ReadonlyMap<string, string>): void {
  if (!Array.isArray(list)) return;
  for (const item of list as Node[]) {
    const str = item.String as { sval?: string } | undefined;
    if (str?.sval !== undefined && renames.has(str.sval)) str.sval = renames.get(str.sval)!;
  }
}

/** Renames unqualified column references (ColumnRef, IndexElem, constraint key lists). */
function renameColumns(tree: ParseResult, renames: ReadonlyMap<string, string>): void {
  walk(tree, (key, value) => {
    if (key === 'ColumnRef') {
      const fields = value.fields as Node[] | undefined;
      // Only the column part: `t.col` has two fields, and we rename the last.
      const last = fields?.[fields.length - 1];
      if (last) renameStrings([last], renames);
    } else if (key === 'IndexElem' || key === 'StatsElem') {
      const name = value.name as string | undefined;
      if (name !== undefined && renames.has(name)) value.name = renames.get(name);
    } else if (key === 'Constraint') {
      renameStrings(value.keys, renames);
      renameStrings(value.fk_attrs, renames);
      renameStrings(value.including, renames);
    }
  });
}

export interface IndexRewrite {
  /** Old column name -> new column name. */
  renames: ReadonlyMap<string, string>;
  newName: string;
}

/**
 * From pg_get_indexdef() output, the same index on renamed columns, under a new name, built
 * CONCURRENTLY and IF NOT EXISTS (so a retried build after a crash is harmless).
 */
export function rewriteIndexDefinition(definition: string, rewrite: IndexRewrite): string {
  const tree = parseSql(definition);
  const stmt = tree.stmts?.[0]?.stmt as { IndexStmt?: Node } | undefined;
  if (!stmt?.IndexStmt) throw new Error(`not a CREATE INDEX statement: ${definition}`);
  stmt.IndexStmt.idxname = rewrite.newName;
  stmt.IndexStmt.concurrent = true;
  stmt.IndexStmt.if_not_exists = true;
  renameColumns(tree, rewrite.renames);
  return deparseSql(tree);
}

/**
 * From pg_get_constraintdef() output (`CHECK ((a > 0))`, `FOREIGN KEY (a) REFERENCES t(id)`),
 * the constraint clause on renamed columns, as SQL to put after `ADD CONSTRAINT name`.
 * `referencedRenames` renames the referenced columns of a foreign key (`REFERENCES t(id)`).
 */
export function rewriteConstraintDefinition(
  definition: string,
  renames: ReadonlyMap<string, string>,
  referencedRenames?: ReadonlyMap<string, string>,
): string {
  const prefix = 'ALTER TABLE zdm_placeholder ADD CONSTRAINT zdm_placeholder ';
  const tree = parseSql(prefix + definition);
  renameColumns(tree, renames);
  if (referencedRenames)
    walk(tree, (key, value) => key === 'Constraint' && renameStrings(value.pk_attrs, referencedRenames));
  const sql = deparseSql(tree);
  const marker = 'ADD CONSTRAINT zdm_placeholder ';
  const at = sql.indexOf(marker);
  if (at < 0) throw new Error(`cannot rewrite constraint definition: ${definition}`);
  return sql.slice(at + marker.length).trim();
}

/**
 * Qualifies every unqualified column reference in a user-given SQL expression with `prefix`
 * (`split_part(name, ' ', 1)` -> `split_part(NEW.name, ' ', 1)`), for use inside a row trigger.
 * Only names in `columns` are touched, so function names, literals and keywords never are.
 */
export function qualifyColumns(expression: string, columns: ReadonlySet<string>, prefix: string): string {
  const tree = parseSql(`SELECT ${expression}`);
  if ((tree.stmts?.length ?? 0) !== 1) throw new Error(`not a single expression: ${expression}`);
  walk(tree, (key, value) => {
    if (key !== 'ColumnRef') return;
    const fields = value.fields as Node[] | undefined;
    const only = fields?.length === 1 ? (fields[0]!.String as { sval?: string } | undefined) : undefined;
    if (only?.sval !== undefined && columns.has(only.sval)) {
      value.fields = [{ String: { sval: prefix } }, { String: { sval: only.sval } }];
    }
  });
  const sql = deparseSql(tree);
  if (!sql.startsWith('SELECT ')) throw new Error(`cannot qualify expression: ${expression}`);
  return sql.slice('SELECT '.length);
}

/**
 * From pg_get_indexdef() output, the same index (columns, method, predicate, UNIQUE) under the
 * name `name` on `on` (a copy of the indexed relation with the same columns), built in a transaction.
 */
export function retargetIndexDefinition(
  definition: string,
  name: string,
  on: { schema: string; name: string },
): string {
  const tree = parseSql(definition);
  const stmt = tree.stmts?.[0]?.stmt as { IndexStmt?: Node } | undefined;
  if (!stmt?.IndexStmt) throw new Error(`not a CREATE INDEX statement: ${definition}`);
  stmt.IndexStmt.idxname = name;
  stmt.IndexStmt.relation = { schemaname: on.schema, relname: on.name, inh: true, relpersistence: 'p' };
  stmt.IndexStmt.concurrent = false;
  stmt.IndexStmt.if_not_exists = false;
  return deparseSql(tree);
}

/**
 * From pg_get_indexdef() output, everything after the table name (` USING btree (a) WHERE b`) on
 * renamed columns: what a partitioned index is built from, once per partition.
 */
export function indexDefinitionTail(definition: string, renames: ReadonlyMap<string, string>): string {
  const tree = parseSql(definition);
  const stmt = tree.stmts?.[0]?.stmt as { IndexStmt?: Node } | undefined;
  if (!stmt?.IndexStmt) throw new Error(`not a CREATE INDEX statement: ${definition}`);
  stmt.IndexStmt.idxname = 'zdm_placeholder';
  stmt.IndexStmt.relation = { relname: 'zdm_placeholder', inh: true, relpersistence: 'p' };
  stmt.IndexStmt.concurrent = false;
  stmt.IndexStmt.if_not_exists = false;
  renameColumns(tree, renames);
  const sql = deparseSql(tree);
  const marker = ' ON zdm_placeholder';
  const at = sql.indexOf(marker);
  if (at < 0) throw new Error(`cannot read the index definition: ${definition}`);
  return sql.slice(at + marker.length);
}

/**
 * From pg_get_statisticsobjdef() output (`CREATE STATISTICS public.s (ndistinct) ON a, b FROM
 * public.t`), the same statistics object on renamed columns.
 */
export function rewriteStatisticsDefinition(definition: string, renames: ReadonlyMap<string, string>): string {
  const tree = parseSql(definition);
  const stmt = tree.stmts?.[0]?.stmt as { CreateStatsStmt?: Node } | undefined;
  if (!stmt?.CreateStatsStmt) throw new Error(`not a CREATE STATISTICS statement: ${definition}`);
  renameColumns(tree, renames);
  return deparseSql(tree);
}

/** The columns a CREATE STATISTICS statement names inside expressions (PG14+ `ON (lower(a))`), not as plain keys. */
export function statisticsExpressionColumns(definition: string): Set<string> {
  const out = new Set<string>();
  const stmt = parseSql(definition).stmts?.[0]?.stmt as { CreateStatsStmt?: Node } | undefined;
  for (const elem of (stmt?.CreateStatsStmt?.exprs ?? []) as Node[]) {
    const expr = (elem.StatsElem as Node | undefined)?.expr;
    walk(expr, (key, value) => {
      if (key !== 'ColumnRef') return;
      const fields = value.fields as Node[];
      const last = (fields[fields.length - 1]!.String as { sval?: string } | undefined)?.sval;
      if (last !== undefined) out.add(last);
    });
  }
  return out;
}

import type { ParseResult } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';

/** Turns a (possibly modified) parse tree back into one line of SQL (pgsql-deparser, same AST). */
export function deparseSql(tree: ParseResult): string {
  return deparseSync(tree, { pretty: false });
}

/** One node of a parse tree (an expression) printed as SQL. */
export function deparseNode(node: unknown): string {
  return deparseSync(node as ParseResult, { pretty: false });
}

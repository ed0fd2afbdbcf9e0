import type { ParseResult } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';

/** Turns a (possibly modified) parse tree back into one line of SQL (pgsql-deparser, same AST). */
export function deparseSql(tree: ParseResult): string {
  return deparseSync(tree, { pretty: false });
}

import { optionOn } from './options.js';
import { parseSql } from './parser.js';
import { walk, type Node } from './rewrite.js';

/** One statement of a SQL text, cut at the parser's statement boundaries. */
export interface SqlStatement {
  /** The statement's own text (from its first token: comments before it are left out), without the trailing `;`. */
  sql: string;
  /** Parse node kind: `IndexStmt`, `AlterTableStmt`, ... */
  kind: string;
  node: Node;
}

/**
 * Splits a SQL text into statements with the real parser (never on `;`, which may sit inside
 * strings, comments or function bodies). Throws the parser's message, with the character position,
 * when the text does not parse.
 */
export function splitStatements(text: string): SqlStatement[] {
  let tree;
  try {
    tree = parseSql(text);
  } catch (err) {
    const at = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    throw new Error(`does not parse: ${(err as Error).message}${at !== undefined ? ` (at character ${at})` : ''}`, {
      cause: err,
    });
  }
  const bytes = Buffer.from(text, 'utf8');
  return (tree.stmts ?? [])
    .map((s) => {
      // Locations are byte offsets; 0 and "to the end" are left out of the protobuf JSON.
      const start = s.stmt_location ?? 0;
      const end = s.stmt_len ? start + s.stmt_len : bytes.length;
      const node = s.stmt as Node;
      return {
        sql: bytes.subarray(start, end).toString('utf8').trim().replace(/;\s*$/, ''),
        kind: Object.keys(node)[0]!,
        node,
      };
    })
    .filter((s) => s.sql !== '');
}

/**
 * Whether Postgres refuses to run the statement inside a transaction block (CONCURRENTLY forms,
 * VACUUM, database and tablespace DDL, ALTER SYSTEM).
 */
export function cannotRunInTransaction(statement: SqlStatement): boolean {
  const body = statement.node[statement.kind] as Node;
  switch (statement.kind) {
    case 'IndexStmt':
    case 'DropStmt':
      return body.concurrent === true;
    case 'ReindexStmt':
      return optionOn(body.params as Node[] | undefined, 'concurrently');
    case 'AlterTableStmt':
      // DETACH PARTITION ... CONCURRENTLY
      return ((body.cmds as Node[] | undefined) ?? []).some(
        (c) =>
          ((c.AlterTableCmd as Node | undefined)?.def as { PartitionCmd?: { concurrent?: boolean } } | undefined)
            ?.PartitionCmd?.concurrent === true,
      );
    case 'VacuumStmt':
      return (body.is_vacuumcmd as boolean | undefined) === true;
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
    case 'AlterSystemStmt':
      return true;
    default:
      return false;
  }
}

/** Relations a statement names (tables, views, indexes), as written: schema only when given. */
export function relationsIn(statement: SqlStatement): { schema?: string; name: string }[] {
  const out = new Map<string, { schema?: string; name: string }>();
  walk(statement.node, (key, value) => {
    if (key !== 'RangeVar' && key !== 'relation' && key !== 'pktable') return;
    const rv = value as { relname?: string; schemaname?: string };
    if (typeof rv.relname !== 'string') return;
    const ref = rv.schemaname ? { schema: rv.schemaname, name: rv.relname } : { name: rv.relname };
    out.set(`${ref.schema ?? ''}.${ref.name}`, ref);
  });
  return [...out.values()];
}

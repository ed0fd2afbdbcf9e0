/**
 * The real Postgres grammar (libpg-query, WASM). The module is loaded once per process; every file
 * is parsed once and scanned once (comments are not in the AST, so `-- zdm-ignore` comments come from
 * the real scanner's comment tokens).
 */
import type { Node } from 'libpg-query';
import { parseSql as parseTree, scanSql } from '../sql/parser.js';
import { SourceText } from './source.js';

export { loadParser } from '../sql/parser.js';

export interface ParsedStatement {
  /** 0-based position in the file. */
  index: number;
  /** The statement node (`{ AlterTableStmt: ... }`). */
  node: Node;
  /** The node's tag and body. */
  kind: string;
  body: Record<string, unknown>;
  /** UTF-8 byte range in the source. */
  startByte: number;
  endByte: number;
  /** UTF-16 range in the source string. */
  start: number;
  end: number;
  text: string;
}

export interface SqlComment {
  text: string;
  start: number;
  end: number;
  startByte: number;
  endByte: number;
}

export interface SyntaxProblem {
  message: string;
  /** UTF-16 index of the error cursor. */
  index: number;
}

export interface ParsedFile {
  source: SourceText;
  statements: ParsedStatement[];
  comments: SqlComment[];
  syntaxError: SyntaxProblem | undefined;
}

/** Parses one file. Never throws on bad SQL: the error is returned with its position. */
export function parseSql(text: string): ParsedFile {
  const source = new SourceText(text);
  const comments = scanComments(source);
  if (!/\S/.test(text)) return { source, statements: [], comments, syntaxError: undefined };
  let tree: { stmts?: { stmt?: Node; stmt_location?: number; stmt_len?: number }[] };
  try {
    tree = parseTree(text) as typeof tree;
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const message = err instanceof Error ? err.message : String(err);
    const index = details?.cursorPosition !== undefined ? source.indexOfCodePoint(details.cursorPosition) : 0;
    return { source, statements: [], comments, syntaxError: { message, index } };
  }
  const totalBytes = source.ascii ? text.length : Buffer.byteLength(text, 'utf8');
  const statements: ParsedStatement[] = [];
  for (const raw of tree.stmts ?? []) {
    if (!raw.stmt) continue;
    const startByte = raw.stmt_location ?? 0;
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : totalBytes;
    const start = source.indexOfByte(startByte);
    let end = source.indexOfByte(endByte);
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    const kind = Object.keys(raw.stmt)[0] ?? 'Unknown';
    statements.push({
      index: statements.length,
      node: raw.stmt,
      kind,
      body: (raw.stmt as unknown as Record<string, Record<string, unknown>>)[kind] ?? {},
      startByte,
      endByte,
      start,
      end,
      text: text.slice(start, end),
    });
  }
  return { source, statements, comments, syntaxError: undefined };
}

function scanComments(source: SourceText): SqlComment[] {
  // Comments matter only as suppression directives: without the marker there is nothing to scan
  // for (the scan is the most expensive step after the parse itself).
  if (!source.text.includes('zdm-ignore')) return [];
  let tokens: { start: number; end: number; tokenName: string }[];
  try {
    tokens = scanSql(source.text).tokens;
  } catch {
    return []; // unterminated literal: the parse reports the syntax error
  }
  const comments: SqlComment[] = [];
  for (const t of tokens) {
    if (t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT') continue;
    const start = source.indexOfByte(t.start);
    const end = source.indexOfByte(t.end);
    comments.push({ text: source.text.slice(start, end), start, end, startByte: t.start, endByte: t.end });
  }
  return comments;
}

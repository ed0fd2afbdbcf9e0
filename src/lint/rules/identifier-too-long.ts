import { scanSql as scanSync } from '../../sql/parser.js';
import { defineRule } from '../rule.js';

/**
 * Cheap pre-filter: is there a run of 64+ bytes of identifier characters (or of a double-quoted
 * span)? Only then are the statement's tokens scanned; the scanner makes the actual decision.
 */
function mayHaveLongIdentifier(text: string): boolean {
  if (text.length < 22) return false;
  let run = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      quoted = !quoted;
      run = 0;
      continue;
    }
    const word =
      quoted ||
      c > 127 ||
      c === 95 ||
      c === 36 ||
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122);
    if (!word) {
      run = 0;
      continue;
    }
    run += c < 128 ? 1 : c < 2048 ? 2 : 3;
    if (run > 63) return true;
  }
  return false;
}

/**
 * Postgres silently truncates identifiers to 63 bytes (NAMEDATALEN - 1), with only a NOTICE. The
 * parser has already truncated them in the AST, so this rule reads the scanner's IDENT tokens.
 */
export const identifierTooLong = defineRule({
  id: 'identifier-too-long',
  severity: 'error',
  defaultOn: true,
  summary: 'an identifier longer than 63 bytes is silently truncated',
  help: 'shorten the name to at most 63 bytes',
  check(ctx) {
    if (!mayHaveLongIdentifier(ctx.stmt.text)) return;
    let tokens;
    try {
      tokens = scanSync(ctx.stmt.text).tokens;
    } catch {
      return;
    }
    const seen = new Set<string>();
    for (const t of tokens) {
      if (t.tokenName !== 'IDENT') continue;
      const name = t.text.startsWith('"') ? t.text.slice(1, -1).replaceAll('""', '"') : t.text.toLowerCase();
      const bytes = Buffer.byteLength(name, 'utf8');
      if (bytes <= 63 || seen.has(name)) continue;
      seen.add(name);
      ctx.report({
        message:
          `identifier "${name}" is ${bytes} bytes: Postgres truncates it to 63 bytes, ` +
          `so later migrations and code that use the full name will not find it (and truncated names ` +
          `may collide)`,
        at: ctx.stmt.startByte + t.start,
      });
    }
  },
});

/**
 * Suppression comments, read from the real scanner's comment tokens (so a `zdm-ignore` inside a
 * string literal is not a directive):
 *
 *   -- zdm-ignore: rule-a, rule-b -- reason          (the next statement)
 *   -- zdm-ignore-file: rule-a -- reason             (the whole file, from anywhere in it)
 *
 * `/* ... *\/` comments work too. The text after the second `--` is the reason, which is required.
 */
import type { ParsedStatement, SqlComment } from './parser.js';

export interface IgnoreDirective {
  scope: 'statement' | 'file';
  rules: string[];
  reason: string | undefined;
  comment: SqlComment;
  /** The statement a statement-scope directive applies to (the next one after the comment). */
  statement: ParsedStatement | undefined;
  /** Rule ids that suppressed at least one finding. */
  used: Set<string>;
}

function commentBody(text: string): string {
  if (text.startsWith('--')) return text.slice(2);
  if (text.startsWith('/*')) return text.slice(2, text.endsWith('*/') ? -2 : undefined);
  return text;
}

export function readDirectives(
  comments: readonly SqlComment[],
  statements: readonly ParsedStatement[],
): IgnoreDirective[] {
  const out: IgnoreDirective[] = [];
  for (const comment of comments) {
    const body = commentBody(comment.text).trim();
    const m = /^zdm-ignore(-file)?\b\s*:?\s*([\s\S]*)$/.exec(body);
    if (!m) continue;
    const rest = m[2] ?? '';
    const sep = rest.indexOf('--');
    const list = sep >= 0 ? rest.slice(0, sep) : rest;
    const reason = sep >= 0 ? rest.slice(sep + 2).trim() : '';
    const rules = list
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const scope = m[1] ? 'file' : 'statement';
    const statement = scope === 'statement' ? statements.find((s) => s.start >= comment.end) : undefined;
    out.push({ scope, rules, reason: reason || undefined, comment, statement, used: new Set() });
  }
  return out;
}

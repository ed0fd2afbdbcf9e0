/** Human output: one block per finding with a code frame, then a summary. */
import { counts, plural, type LintRun, type ReportOptions } from './types.js';
import { docsUrl } from './docs.js';

const codes = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;

export function formatText(run: LintRun, options: ReportOptions): string {
  const paint = (c: keyof typeof codes, s: string) => (options.color ? `\x1b[${codes[c]}m${s}\x1b[0m` : s);
  const out: string[] = [];
  for (const f of run.findings) {
    const sev = f.severity === 'error' ? paint('red', 'error') : paint('yellow', 'warning');
    out.push(`${paint('bold', `${f.file}:${f.line}:${f.column}`)} ${sev} ${paint('cyan', f.rule)}`);
    out.push(`  ${f.message}`);
    const lines = run.source(f.file)?.split('\n');
    if (lines && f.line <= lines.length) {
      const last = Math.min(f.endLine, f.line + 4);
      const width = String(last).length;
      for (let n = Math.max(1, f.line - 1); n <= last; n++) {
        const text = (lines[n - 1] ?? '').replace(/\r$/, '').replace(/\t/g, ' ');
        const marker = n === f.line ? '>' : ' ';
        out.push(paint('dim', `${marker} ${String(n).padStart(width)} | `) + text);
        if (n === f.line) {
          const chars = [...text];
          const endCol = f.endLine === f.line ? Math.max(f.endColumn, f.column + 1) : chars.length + 1;
          const caret = '^'.repeat(Math.max(1, Math.min(endCol, chars.length + 1) - f.column));
          out.push(
            paint('dim', `  ${' '.repeat(width)} | `) +
              ' '.repeat(f.column - 1) +
              paint(f.severity === 'error' ? 'red' : 'yellow', caret),
          );
        }
      }
      if (f.endLine > last) out.push(paint('dim', `  ${' '.repeat(width)} | ...`));
    }
    if (f.help) out.push(`  ${paint('bold', 'help:')} ${f.help}`);
    out.push(`  ${paint('dim', `docs: ${docsUrl(f.rule)}`)}`);
    out.push('');
  }
  const { errors, warnings } = counts(run.findings);
  const summary = `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(run.files, 'file')}`;
  out.push(errors ? paint('red', summary) : warnings ? paint('yellow', summary) : summary);
  return `${out.join('\n')}\n`;
}

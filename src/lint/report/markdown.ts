/** Markdown for a pull-request comment: a summary line and one table row per finding, with details. */
import { counts, plural, type LintRun } from './types.js';
import { docsUrl } from './docs.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function formatMarkdown(run: LintRun): string {
  const { errors, warnings } = counts(run.findings);
  const out: string[] = ['## zdm lint', ''];
  if (!run.findings.length) {
    out.push(`No problems in ${plural(run.files, 'file')}.`);
    return `${out.join('\n')}\n`;
  }
  out.push(`**${plural(errors, 'error')}**, ${plural(warnings, 'warning')} in ${plural(run.files, 'file')}.`, '');
  out.push('| | location | rule | problem |', '|---|---|---|---|');
  for (const f of run.findings) {
    out.push(
      `| ${f.severity === 'error' ? '❌' : '⚠️'} | \`${cell(f.file)}:${f.line}:${f.column}\` | ` +
        `[\`${f.rule}\`](${docsUrl(f.rule)}) | ${cell(f.message)} |`,
    );
  }
  out.push('');
  for (const f of run.findings) {
    out.push(`<details><summary><code>${f.file}:${f.line}</code> ${f.rule}</summary>`, '');
    if (f.statement)
      out.push('```sql', f.statement.length > 2000 ? `${f.statement.slice(0, 2000)}\n-- ...` : f.statement, '```', '');
    out.push(f.message, '');
    if (f.help) out.push(`**Instead:** ${f.help}`, '');
    out.push('</details>', '');
  }
  return `${out.join('\n')}\n`;
}

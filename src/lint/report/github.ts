/** GitHub Actions workflow commands: `::error file=...,line=...::message` (one per finding). */
import { counts, plural, type LintRun } from './types.js';
import { docsUrl } from './docs.js';

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function formatGithub(run: LintRun): string {
  const lines = run.findings.map((f) => {
    const props = [
      `file=${escapeProperty(f.file)}`,
      `line=${f.line}`,
      `endLine=${f.endLine}`,
      `col=${f.column}`,
      `endColumn=${f.endColumn}`,
      `title=${escapeProperty(`zdm lint: ${f.rule}`)}`,
    ];
    const body = [f.message, f.help ? `help: ${f.help}` : '', `docs: ${docsUrl(f.rule)}`].filter(Boolean).join('\n');
    return `::${f.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(body)}`;
  });
  const { errors, warnings } = counts(run.findings);
  lines.push(`zdm lint: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(run.files, 'file')}`);
  return `${lines.join('\n')}\n`;
}

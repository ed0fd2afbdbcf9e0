/**
 * Stable JSON (schema version 1, documented in src/lint/rules/README.md#json-output):
 * { "version": 1, "files": n, "errors": n, "warnings": n, "findings": [Finding...] }
 */
import { docsUrl } from './docs.js';
import { counts, type LintRun } from './types.js';

const JSON_SCHEMA_VERSION = 1;

export function formatJson(run: LintRun): string {
  const findings = run.findings.map((f) => ({
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    message: f.message,
    help: f.help ?? null,
    docs: f.docs,
    docsUrl: docsUrl(f.rule),
    statement: f.statement ?? null,
  }));
  return `${JSON.stringify({ version: JSON_SCHEMA_VERSION, files: run.files, ...counts(run.findings), findings }, null, 2)}\n`;
}

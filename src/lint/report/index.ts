import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatMarkdown } from './markdown.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';
import type { LintRun, ReportOptions } from './types.js';

import type { Format } from './formats.js';

export { FORMATS, type Format } from './formats.js';

const FORMATTERS: Record<Format, (run: LintRun, options: ReportOptions) => string> = {
  text: formatText,
  json: formatJson,
  github: formatGithub,
  sarif: formatSarif,
  markdown: formatMarkdown,
};

export function formatReport(format: Format, run: LintRun, options: ReportOptions): string {
  return FORMATTERS[format](run, options);
}

export type { LintRun, ReportOptions };

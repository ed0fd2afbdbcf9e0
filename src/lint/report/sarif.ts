/** SARIF 2.1.0, for code-scanning uploads. */
import { META_RULES } from '../engine.js';
import { RULES } from '../rules/index.js';
import { docsAnchor } from '../rule.js';
import { version } from '../../version.js';
import type { LintRun } from './types.js';

export function formatSarif(run: LintRun): string {
  const rules = [
    ...RULES.map((r) => ({ id: r.id, summary: r.summary, help: r.help, level: r.severity })),
    ...Object.entries(META_RULES).map(([id, summary]) => ({ id, summary, help: summary, level: 'warning' as const })),
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'zdm lint',
            version,
            rules: rules.map((r) => ({
              id: r.id,
              shortDescription: { text: r.summary },
              help: { text: `${r.help}\n\nDocs: ${docsAnchor(r.id)}` },
              defaultConfiguration: { level: r.level },
            })),
          },
        },
        results: run.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule),
          level: f.severity,
          message: { text: f.help ? `${f.message}\nhelp: ${f.help}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split('\\').join('/') },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

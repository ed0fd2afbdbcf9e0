import { formatRows, lockSummary, serverVersion, stepMode, stepSql, tablesLine } from './describe.js';
import { renderMarkdown } from './markdown.js';
import { relativeFile, type RenderOptions } from './render-options.js';
import { summaryLines } from './summary.js';
import { PHASES, type Plan, type Step } from './types.js';

export type { RenderOptions } from './render-options.js';

export type PlanFormat = 'text' | 'markdown' | 'json';

export function renderPlan(plan: Plan, format: PlanFormat, options: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(plan, options);
    case 'markdown':
      return renderMarkdown(plan, options);
    case 'json':
      return `${JSON.stringify(planJson(plan, options), null, 2)}\n`;
  }
}

/** The JSON form: the plan itself plus, for every step, its SQL and status. Documented in the README. */
function planJson(plan: Plan, options: RenderOptions = {}) {
  return {
    ...plan,
    steps: plan.steps.map((s) => ({
      ...s,
      sql: stepSql(s),
      mode: stepMode(s),
      status: options.stepStatus?.get(s.id) ?? 'pending',
    })),
  };
}

function renderText(plan: Plan, options: RenderOptions): string {
  const out: string[] = [];
  out.push(`Migration ${plan.migration}  (${relativeFile(plan.file, options)}, sha256 ${plan.checksum.slice(0, 12)})`);
  out.push(
    `PostgreSQL ${serverVersion(plan.serverVersionNum)}; target schema(s): ${plan.targetSchemas.join(', ') || '-'}`,
  );
  if (plan.tables.length) out.push(`Tables: ${tablesLine(plan)}`);
  out.push('', 'Summary:', ...summaryLines(plan, options.settings).map((l) => `  ${l}`));
  out.push('', 'Operations:');
  for (const op of plan.operations) out.push(`  [${op.index}] ${op.summary}`);
  PHASES.forEach((phase, i) => {
    const steps = plan.steps.filter((s) => s.phase === phase);
    out.push('', `Phase ${i + 1}/4: ${phase}${steps.length === 0 ? ' (nothing to do)' : ''}`);
    for (const gate of plan.gates.filter((g) => g.phase === phase)) out.push(`  gate: ${gate.description}`);
    for (const step of steps) out.push(...textStep(step, options));
    for (const note of plan.notes.filter((n) => n.phase === phase)) out.push(`  note: ${note.text}`);
  });
  return `${out.join('\n')}\n`;
}

function textStep(step: Step, options: RenderOptions): string[] {
  const status = options.stepStatus?.get(step.id);
  const lines = [
    '',
    `  ${step.id}${status ? `  [${status}]` : ''}`,
    `    ${step.description}`,
    `    lock: ${lockSummary(step.impact)}`,
    `    rewrites table: ${step.impact.rewritesTable ? 'YES' : 'no'}; ` +
      `scans table: ${step.impact.scansTable ? 'yes' : 'no'}; ` +
      `rows: ${formatRows(step.impact.estimatedRows)}`,
    `    runs: ${stepMode(step)}`,
    '    sql:',
    ...stepSql(step).map((s) => indent(s, 6)),
  ];
  const undo = 'undo' in step ? step.undo : undefined;
  if (undo) lines.push('    undo (zdm rollback):', ...undo.statements.map((s) => indent(s, 6)));
  return lines;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

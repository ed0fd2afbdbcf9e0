import path from 'node:path';
import { formatRows, lockSummary, serverVersion, stepMode, stepSql, strongestLock, tablesLine } from './describe.js';
import { PHASES, type Plan, type Step } from './types.js';

export type PlanFormat = 'text' | 'markdown' | 'json';

export interface RenderOptions {
  /** Step id -> status, when the plan belongs to an active migration. */
  stepStatus?: ReadonlyMap<string, string>;
  /** Directory file paths are shown relative to. */
  cwd?: string;
  lockTimeoutMs?: number;
}

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
export function planJson(plan: Plan, options: RenderOptions = {}) {
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

function rel(file: string, options: RenderOptions): string {
  return options.cwd ? path.relative(options.cwd, file) || file : file;
}

function renderText(plan: Plan, options: RenderOptions): string {
  const out: string[] = [];
  out.push(`Migration ${plan.migration}  (${rel(plan.file, options)}, sha256 ${plan.checksum.slice(0, 12)})`);
  out.push(
    `PostgreSQL ${serverVersion(plan.serverVersionNum)}; target schema(s): ${plan.targetSchemas.join(', ') || '-'}`,
  );
  if (plan.tables.length) out.push(`Tables: ${tablesLine(plan)}`);
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
    `    rewrites table: ${step.impact.rewritesTable ? 'YES' : 'no'}; scans table: ${step.impact.scansTable ? 'yes' : 'no'}; rows: ${formatRows(step.impact.estimatedRows)}`,
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

function renderMarkdown(plan: Plan, options: RenderOptions): string {
  const out: string[] = [];
  out.push(`### zdm plan: \`${plan.migration}\``, '');
  out.push(
    `File \`${rel(plan.file, options)}\` (sha256 \`${plan.checksum.slice(0, 12)}\`), PostgreSQL ${serverVersion(plan.serverVersionNum)}, target schema(s): ${plan.targetSchemas.map((s) => `\`${s}\``).join(', ')}.`,
  );
  if (plan.tables.length) out.push('', `Tables: ${tablesLine(plan)}.`);
  out.push('', '| # | operation |', '|---|---|');
  for (const op of plan.operations) out.push(`| ${op.index} | ${op.summary.replaceAll('|', '\\|')} |`);
  out.push('', '| phase | step | strongest lock | rewrites | scans | rows |', '|---|---|---|---|---|---|');
  for (const step of plan.steps) {
    const lock = strongestLock(step.impact);
    out.push(
      `| ${step.phase} | \`${step.id}\`${options.stepStatus?.get(step.id) ? ` (${options.stepStatus.get(step.id)})` : ''} | ${lock ? `${lock.mode} (${step.impact.lockDuration})` : 'none'} | ${step.impact.rewritesTable ? '**yes**' : 'no'} | ${step.impact.scansTable ? 'yes' : 'no'} | ${formatRows(step.impact.estimatedRows)} |`,
    );
  }
  for (const phase of PHASES) {
    const steps = plan.steps.filter((s) => s.phase === phase);
    if (steps.length === 0) continue;
    out.push('', `#### ${phase}`, '');
    for (const gate of plan.gates.filter((g) => g.phase === phase)) out.push(`- gate: ${gate.description}`);
    for (const note of plan.notes.filter((n) => n.phase === phase)) out.push(`- note: ${note.text}`);
    for (const step of steps) {
      out.push('', `<details><summary><code>${step.id}</code>: ${escapeHtml(step.description)}</summary>`, '');
      out.push(
        `Lock: ${lockSummary(step.impact)}. Runs: ${stepMode(step)}.`,
        '',
        '```sql',
        ...stepSql(step).map((s) => (s.startsWith('--') ? s : `${s};`)),
        '```',
      );
      const undo = 'undo' in step ? step.undo : undefined;
      if (undo) out.push('', 'Undo:', '', '```sql', ...undo.statements.map((s) => `${s};`), '```');
      out.push('', '</details>');
    }
  }
  return `${out.join('\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

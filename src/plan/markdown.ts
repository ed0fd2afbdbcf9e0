import {
  escapeHtml,
  formatRows,
  lockSummary,
  serverVersion,
  stepMode,
  stepSql,
  strongestLock,
  tablesLine,
} from './describe.js';
import { planDiagram } from './mermaid.js';
import { relativeFile, type RenderOptions } from './render-options.js';
import { backfillText, DEFAULT_SUMMARY_SETTINGS, lockText, settingsLines, summarize } from './summary.js';
import { displayName } from '../db/quote.js';
import { PHASES, type Plan, type Step } from './types.js';

/** A GitHub comment holds at most this many characters; the markdown plan stays under it. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Room kept for the note that says what was cut. */
const CUT_NOTE_ROOM = 400;

/**
 * The plan for a pull-request comment: the diagram, the summary, the operations and steps as
 * tables, then each step's SQL folded in <details>. What would not fit in a GitHub comment is cut,
 * from the end, with a note saying how many steps' details (or table rows) are left out.
 */
export function renderMarkdown(plan: Plan, options: RenderOptions, limit = GITHUB_COMMENT_LIMIT): string {
  const out = new Budget(limit - CUT_NOTE_ROOM);
  out.add(head(plan, options).join('\n'));
  const cut = { rows: 0, details: 0 };
  for (const row of stepRows(plan, options)) if (!out.add(row)) cut.rows++;
  for (const phase of PHASES) {
    const steps = plan.steps.filter((s) => s.phase === phase);
    if (steps.length === 0) continue;
    const intro = ['', `#### ${phase}`, ''];
    for (const gate of plan.gates.filter((g) => g.phase === phase)) intro.push(`- gate: ${gate.description}`);
    for (const note of plan.notes.filter((n) => n.phase === phase)) intro.push(`- note: ${note.text}`);
    if (!out.add(intro.join('\n'))) cut.details += steps.length;
    else for (const step of steps) if (!out.add(details(step).join('\n'))) cut.details++;
  }
  if (cut.rows || cut.details) out.force(cutNote(cut));
  return `${out.text()}\n`;
}

/** Appends chunks while they fit; once one does not, nothing more is added (so the cut is one tail). */
class Budget {
  private readonly parts: string[] = [];
  private size = 0;
  private full = false;
  constructor(private readonly limit: number) {}
  add(chunk: string): boolean {
    if (this.full || this.size + chunk.length + 1 > this.limit) {
      this.full = true;
      return false;
    }
    this.parts.push(chunk);
    this.size += chunk.length + 1;
    return true;
  }
  force(chunk: string): void {
    this.parts.push(chunk);
  }
  text(): string {
    return this.parts.join('\n');
  }
}

function cutNote(cut: { rows: number; details: number }): string {
  const what = [
    cut.rows ? `${cut.rows} rows of the step table` : '',
    cut.details ? `the SQL of ${cut.details} steps` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return (
    `\n> **Cut to fit a GitHub comment (${GITHUB_COMMENT_LIMIT.toLocaleString('en-US')} ` +
    `characters):** ${what}. \`zdm plan --format text\` or \`--format json\` shows the whole plan.`
  );
}

function head(plan: Plan, options: RenderOptions): string[] {
  const settings = options.settings ?? DEFAULT_SUMMARY_SETTINGS;
  const out = [
    `### zdm plan: \`${plan.migration}\``,
    '',
    `File \`${relativeFile(plan.file, options)}\` (sha256 \`${plan.checksum.slice(0, 12)}\`), ` +
      `PostgreSQL ${serverVersion(plan.serverVersionNum)}, ` +
      `target schema(s): ${plan.targetSchemas.map((s) => `\`${s}\``).join(', ')}.`,
    '',
    '```mermaid',
    planDiagram(plan),
    '```',
  ];
  const summary = summarize(plan, settings);
  if (summary.length) {
    out.push('', '| relation | strongest lock | rewrites | scans | backfill |', '|---|---|---|---|---|');
    for (const s of summary)
      out.push(
        `| \`${displayName(s.relation)}\` | ${lockText(s)} | ${s.rewrites ? '**yes**' : 'no'} ` +
          `| ${s.scans} | ${backfillText(s, settings)} |`,
      );
  }
  out.push('', ...settingsLines(plan, settings).map((l) => `- ${l}`));
  if (plan.tables.length) out.push('', `Tables: ${tablesLine(plan)}.`);
  out.push('', '| # | operation |', '|---|---|');
  for (const op of plan.operations) out.push(`| ${op.index} | ${op.summary.replaceAll('|', '\\|')} |`);
  out.push('', '| phase | step | strongest lock | rewrites | scans | rows |', '|---|---|---|---|---|---|');
  return out;
}

function stepRows(plan: Plan, options: RenderOptions): string[] {
  return plan.steps.map((step) => {
    const lock = strongestLock(step.impact);
    const status = options.stepStatus?.get(step.id);
    return (
      `| ${step.phase} | \`${step.id}\`${status ? ` (${status})` : ''} ` +
      `| ${lock ? `${lock.mode} (${step.impact.lockDuration})` : 'none'} ` +
      `| ${step.impact.rewritesTable ? '**yes**' : 'no'} ` +
      `| ${step.impact.scansTable ? 'yes' : 'no'} | ${formatRows(step.impact.estimatedRows)} |`
    );
  });
}

function details(step: Step): string[] {
  const out = ['', `<details><summary><code>${step.id}</code>: ${escapeHtml(step.description)}</summary>`, ''];
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
  return out;
}

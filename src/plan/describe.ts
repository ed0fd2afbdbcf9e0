import { batchSql } from './backfill-sql.js';
import { formatBytes } from '../config/units.js';
import { displayName, quoteIdent, quoteQualified } from '../db/quote.js';
import { assertNever } from '../errors.js';
import { lockEffect, LOCK_MODES, type Impact, type Plan, type Step, type VerifyStep } from './types.js';

/** A verify step's query: up to 10 rows that violate its condition (the runner runs exactly this). */
export function verifySql(step: VerifyStep): string {
  return (
    `SELECT ${step.sampleColumns.map(quoteIdent).join(', ')} ` +
    `FROM ${quoteQualified(step.table)} WHERE ${step.violation} LIMIT 10`
  );
}

/** The SQL a step runs, as a reviewer should read it (backfill batches with their placeholders). */
export function stepSql(step: Step): string[] {
  switch (step.kind) {
    case 'sql':
      return step.statements;
    case 'create-index':
      return [step.statement];
    case 'verify':
      return step.index
        ? [
            `-- read through index ${quoteIdent(step.index)}, in a transaction with enable_seqscan = off:`,
            verifySql(step),
          ]
        : [verifySql(step)];
    case 'backfill': {
      const first = step.partitions?.[0];
      const sql = batchSql(step, true, false, first ?? step.table);
      const where = first
        ? [
            `-- partition by partition, each batch within one of the ${step.partitions!.length} ` +
              `leaf partitions (${displayName(first)} to ${displayName(step.partitions!.at(-1)!)}); ` +
              `shown for ${displayName(first)}:`,
          ]
        : [];
      return [
        ...where,
        `-- per batch, in its own transaction with zdm.backfill = on and synchronous_commit = off:`,
        sql.bound,
        sql.update(true),
      ];
    }
    default:
      return assertNever(step, 'step kind');
  }
}

/** How the step runs with respect to transactions. */
export function stepMode(step: Step): string {
  switch (step.kind) {
    case 'sql':
      return step.transactional
        ? 'one transaction, lock_timeout, retried'
        : 'outside a transaction, statement by statement (idempotent)';
    case 'create-index':
      return 'outside a transaction (CONCURRENTLY); an INVALID leftover is dropped and rebuilt';
    case 'verify':
      return 'read-only check';
    case 'backfill':
      return (
        `${step.walk === 'ctid' ? 'block-range (ctid)' : 'keyset'} batches, ` +
        `one short transaction each, cursor saved with every batch`
      );
    default:
      return assertNever(step, 'step kind');
  }
}

export function strongestLock(impact: Impact): Impact['locks'][number] | undefined {
  return [...impact.locks].sort((a, b) => LOCK_MODES.indexOf(b.mode) - LOCK_MODES.indexOf(a.mode))[0];
}

/** `ACCESS EXCLUSIVE on public.users (brief; blocks reads and writes)` */
export function lockSummary(impact: Impact): string {
  if (impact.locks.length === 0) return 'none';
  const duration: Record<Impact['lockDuration'], string> = {
    brief: 'brief, metadata only',
    scan: 'held while the table is scanned',
    rewrite: 'held while the table is rewritten',
    'per-batch': 'per batch, on the batch rows only',
    none: 'none',
  };
  return impact.locks
    .map((l) => `${l.mode} on ${displayName(l.relation)} (${duration[impact.lockDuration]}; ${lockEffect(l.mode)})`)
    .join(', ');
}

export function formatRows(n: number | undefined): string {
  return n === undefined ? '-' : `~${Math.round(n).toLocaleString('en-US')}`;
}

export function serverVersion(num: number): string {
  return `${Math.floor(num / 10000)}.${num % 10000}`;
}

export function tablesLine(plan: Plan): string {
  return plan.tables
    .map((t) => `${displayName(t.table)} (${formatRows(t.estimatedRows)} rows, ${formatBytes(t.sizeBytes)})`)
    .join(', ');
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Typed errors. Each names the objects involved so a user can act on it without reading code.
 * Expected outcomes (a gate that holds, a lint finding) are results, not errors; only the CLI maps
 * error classes to exit codes (src/cli/exit-codes.ts).
 */
export abstract class ZdmError extends Error {
  abstract readonly kind: ZdmErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ZdmErrorKind =
  'usage' | 'config' | 'validation' | 'lock-held' | 'step-failed' | 'state' | 'database' | 'interrupted' | 'safety';

/** Bad command-line usage: unknown flag values, missing arguments. */
export class UsageError extends ZdmError {
  readonly kind = 'usage';
}

/** zdm.config.json or environment values that do not validate. */
export class ConfigError extends ZdmError {
  readonly kind = 'config';
}

/** One problem found in a migration file, at a path inside it (`operations[0].table`). */
export interface ValidationIssue {
  file?: string;
  path?: string;
  message: string;
}

/**
 * A migration that cannot be planned: malformed file, unknown operation, missing table or column,
 * drift of an applied file. Nothing has been executed when this is thrown.
 */
export class ValidationError extends ZdmError {
  readonly kind = 'validation';
  readonly issues: readonly ValidationIssue[];
  constructor(issues: ValidationIssue[] | string, options?: { cause?: unknown }) {
    const list = typeof issues === 'string' ? [{ message: issues }] : issues;
    super(list.map(formatIssue).join('\n'), options);
    this.issues = list;
  }
}

function formatIssue(issue: ValidationIssue): string {
  const where = [issue.file, issue.path].filter(Boolean).join(': ');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** Another runner holds the advisory lock. */
export class LockHeldError extends ZdmError {
  readonly kind = 'lock-held';
  constructor(
    message: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(message);
  }
}

export interface LockHolder {
  pid: number;
  applicationName: string;
  clientAddr: string | null;
  backendStart: string | null;
  state: string | null;
}

/** A step failed; the state records it and `zdm advance` (retry) or `zdm rollback` can finish. */
export class StepFailedError extends ZdmError {
  readonly kind = 'step-failed';
  constructor(
    readonly stepId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`step ${stepId} failed: ${message}`, options);
  }
}

/** The state in the zdm schema does not allow the requested action (e.g. rollback after contract). */
export class StateError extends ZdmError {
  readonly kind = 'state';
}

/**
 * The action needs an active migration and there is none (rollback, pause, resume, tune): nothing
 * was changed. The library API returns it as a `nothing-active` result; the CLI reports it as a
 * StateError (exit 1).
 */
export class NoActiveMigrationError extends StateError {}

/**
 * A safety check refused to start work that could hurt the database or its replicas (e.g. a
 * backfill whose WAL could outrun a slot-less replica's retention). Nothing ran; the message says
 * what to change or which override flag accepts the risk.
 */
export class SafetyError extends ZdmError {
  readonly kind = 'safety';
}

/** The database could not be reached or answered with an error outside any step. */
export class DatabaseError extends ZdmError {
  readonly kind = 'database';
}

/** The run was interrupted (SIGINT/SIGTERM) at a safe point; the state is consistent. */
export class InterruptedError extends ZdmError {
  readonly kind = 'interrupted';
  constructor(where: string) {
    super(`interrupted ${where}; the state is consistent: run zdm advance to continue or zdm rollback to undo`);
  }
}

/** The message, with Postgres's DETAIL when there is one (`Key (email)=(a@b) is duplicated.`). */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const detail = (err as { detail?: unknown }).detail;
  return typeof detail === 'string' && detail !== '' ? `${err.message} (${detail})` : err.message;
}

/**
 * An error message on one line (a table cell, a progress line, `zdm status`): its first line, with
 * the line after it when the first ends with a colon, so a failed check's `sample (up to 10):`
 * shows its first offending row instead of ending on the colon.
 */
export function errorHeadline(message: string): string {
  const [first = '', next] = message.split('\n');
  return first.endsWith(':') && next?.trim() ? `${first} ${next.trim()}` : first;
}

/**
 * The default branch of a switch that handles every case of a union (step kinds, result kinds): a
 * compile error where a new case is not handled, and a clear error if a value outside the types
 * arrives at run time (a plan recorded by another zdm version).
 */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

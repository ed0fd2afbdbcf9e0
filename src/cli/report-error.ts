import { ValidationError, ZdmError, type ValidationIssue } from '../errors.js';
import type { CliIO } from './context.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

/**
 * An error: plain text on stderr, or under --json one JSON object on stdout and nothing on stderr.
 * An unexpected error (a bug, not a typed ZdmError) keeps its stack in both forms, so a report
 * from a CI log that only kept the JSON still says where it came from.
 */
export function reportError(err: unknown, io: CliIO, json: boolean): number {
  if (io.signal.aborted) {
    const message = 'interrupted; the state is consistent, run `zdm advance` to continue or `zdm rollback` to undo';
    if (json) io.stdout(`${JSON.stringify(errorJson('interrupted', ExitCode.interrupted, message))}\n`);
    else io.stderr(`zdm: ${message}\n`);
    return ExitCode.interrupted;
  }
  const code = exitCodeFor(err);
  if (!json) {
    if (err instanceof ZdmError) io.stderr(`zdm: ${err.message}\n`);
    else io.stderr(`zdm: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return code;
  }
  const kind = err instanceof ZdmError ? err.kind : 'unexpected';
  const message = err instanceof Error ? err.message : String(err);
  const issues = err instanceof ValidationError ? err.issues : undefined;
  const stack = !(err instanceof ZdmError) && err instanceof Error ? err.stack : undefined;
  io.stdout(`${JSON.stringify(errorJson(kind, code, message, issues, stack))}\n`);
  return code;
}

/** An error under --json: one object on stdout, `{"error": {kind, exitCode, message, issues?, stack?}}`. */
export function errorJson(
  kind: string,
  exitCode: number,
  message: string,
  issues?: readonly ValidationIssue[],
  stack?: string,
) {
  return { error: { kind, exitCode, message, ...(issues ? { issues } : {}), ...(stack ? { stack } : {}) } };
}

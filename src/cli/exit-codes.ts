import { ZdmError, type ZdmErrorKind } from '../errors.js';

/**
 * zdm's exit codes, documented in the README ("Exit codes"). Release pipelines branch on them,
 * so they never change meaning.
 */
export const ExitCode = {
  /** Done: the command did what it was asked. */
  ok: 0,
  /** A step or command failed. The state records it: `zdm advance` retries, `zdm rollback` undoes. */
  failure: 1,
  /** Bad usage or configuration: unknown flag, bad value, unreadable zdm.config.json. */
  usage: 2,
  /**
   * Blocked by validation, lint or a safety check: invalid migration file, missing table/column,
   * drift, lint errors, WAL-retention risk. Nothing ran.
   */
  blocked: 3,
  /** Another zdm runner holds the migration lock. Nothing ran. */
  locked: 4,
  /** A gate is closed (replica lag, pause, verification pending): nothing is wrong, retry later. */
  waiting: 5,
  /** Interrupted (Ctrl-C / SIGTERM); the state is consistent and `zdm advance` continues. */
  interrupted: 130,
  /**
   * The reader of stdout or stderr closed the pipe (`zdm lint | head -1`): zdm stops quietly, as git
   * does when SIGPIPE ends it (128 + 13). A running command stops at a safe point, as on Ctrl-C.
   */
  brokenPipe: 141,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const BY_KIND: Record<ZdmErrorKind, ExitCodeValue> = {
  usage: ExitCode.usage,
  config: ExitCode.usage,
  validation: ExitCode.blocked,
  'lock-held': ExitCode.locked,
  'step-failed': ExitCode.failure,
  state: ExitCode.failure,
  database: ExitCode.failure,
  interrupted: ExitCode.interrupted,
  safety: ExitCode.blocked,
};

export function exitCodeFor(err: unknown): ExitCodeValue {
  return err instanceof ZdmError ? BY_KIND[err.kind] : ExitCode.failure;
}

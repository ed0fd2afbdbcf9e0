/**
 * zdm's public API (see the README, "zdm as a library"):
 * - createZdm(): plan, advance, rollback, status, pause, resume, tune and lint from code, with
 *   expected outcomes as typed results and failures as typed errors;
 * - runFleet(): one of plan, advance, rollback, status on many databases and tenant schemas, as `zdm fleet`;
 * - defineMigration() and one helper per operation, for migration files written in TypeScript or
 *   JavaScript (each returns exactly the JSON/YAML object), and the types of their shapes.
 */
export * from './migration/define.js';
export type { MigrationSpec } from './migration/schema.js';
export type { OperationKind, OperationSpec } from './operations/registry.js';
export type { Plan, Step, Phase } from './plan/types.js';
export { PHASES } from './plan/types.js';
export { createZdm, type ZdmOptions, type ZdmSettings } from './api/create.js';
export {
  Zdm,
  LIVE_STALE_SECONDS,
  type AdvanceOutcome,
  type AdvanceRequest,
  type LockedResult,
  type NothingActiveResult,
  type PauseOutcome,
  type RollbackOutcome,
  type TuneOutcome,
} from './api/zdm.js';
export {
  runFleet,
  type RunFleetOptions,
  type FleetResult,
  type FleetSummary,
  type FleetCommand,
  type FleetEntry,
  type FleetTarget,
  type FleetProgress,
  type TargetOutcome,
  type TargetStatus,
} from './api/fleet.js';
export type { LintRequest, LintResult, LintTarget, Finding } from './api/lint.js';
export type { AdvanceResult } from './runner/advance.js';
export type { RollbackResult } from './runner/rollback.js';
export type { PlanResult } from './runner/current-plan.js';
export type { PauseResult, TuneResult } from './runner/control.js';
export type { JoinResult } from './runner/join.js';
export type { StatusReport, MigrationStatus, BackfillStatus } from './runner/status.js';
export type { Control, StepStatus } from './exec/state-store.js';
export type { RunnerEvent, BackfillProgress, LagSummary } from './exec/events.js';
export type { ResolvedConfig } from './config/settings.js';
export {
  ZdmError,
  UsageError,
  ConfigError,
  ValidationError,
  LockHeldError,
  StepFailedError,
  StateError,
  NoActiveMigrationError,
  SafetyError,
  DatabaseError,
  InterruptedError,
  type ZdmErrorKind,
  type ValidationIssue,
  type LockHolder,
} from './errors.js';

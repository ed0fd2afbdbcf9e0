import type { QualifiedName } from '../db/quote.js';

/**
 * The four phases every migration runs through, in order. Each operation contributes steps to
 * some of them: expand (additive only, the old application runs), backfill (throttled batches
 * copy or transform data), switch (checks and validations; old and new application side by side),
 * contract (the old shape is dropped; the new application only). Rollback is possible before
 * contract and leaves the database as it was before expand.
 */
export const PHASES = ['expand', 'backfill', 'switch', 'contract'] as const;
export type Phase = (typeof PHASES)[number];

export function phaseIndex(phase: Phase): number {
  return PHASES.indexOf(phase);
}

/** Table-level lock modes, weakest first (the names Postgres's docs and pg_locks use). */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** What a statement does to application traffic while it holds its lock. */
export function lockEffect(mode: LockMode): string {
  switch (mode) {
    case 'ACCESS SHARE':
    case 'ROW SHARE':
    case 'ROW EXCLUSIVE':
    case 'SHARE UPDATE EXCLUSIVE':
      return 'reads and writes continue';
    case 'SHARE':
    case 'SHARE ROW EXCLUSIVE':
    case 'EXCLUSIVE':
      return 'blocks writes';
    case 'ACCESS EXCLUSIVE':
      return 'blocks reads and writes';
  }
}

export interface LockTaken {
  relation: QualifiedName;
  mode: LockMode;
}

/** How long a step holds its strongest lock, as the plan tells a reviewer. */
export type LockDuration = 'brief' | 'scan' | 'rewrite' | 'per-batch' | 'none';

/** What a step does to its table's data, for `zdm plan`. */
export interface Impact {
  locks: LockTaken[];
  lockDuration: LockDuration;
  rewritesTable: boolean;
  scansTable: boolean;
  /** Rows the step reads or writes, from catalog statistics (pg_class.reltuples). */
  estimatedRows?: number;
}

interface StepBase {
  /** Deterministic, readable id: `rename_column:public.users.user_email:expand:1`. */
  id: string;
  phase: Phase;
  /** Index of the operation in the migration that produced the step (several, for merged steps). */
  operations: number[];
  description: string;
  impact: Impact;
}

/** Undo of a step, run by `zdm rollback` in reverse order. Always idempotent (IF EXISTS). */
export interface Undo {
  statements: string[];
  transactional: boolean;
  /**
   * What the undo locks, rewrites and scans, as `impact` says for the step (the trace harness and
   * `zdm plan --rehearse` check it on expand -> rollback). Given by the operation where it differs
   * from the step's own locks held briefly; absent in plans recorded before it existed.
   */
  impact?: Impact;
}

/**
 * DDL (or other SQL). Transactional steps run all statements in one transaction with a short
 * lock_timeout, retried with backoff; the step's completion is recorded in that same transaction.
 * Non-transactional steps (CONCURRENTLY, ALTER TYPE ... ADD VALUE) run statement by statement
 * and must be idempotent.
 */
export interface SqlStep extends StepBase {
  kind: 'sql';
  statements: string[];
  transactional: boolean;
  undo?: Undo;
}

/**
 * CREATE [UNIQUE] INDEX CONCURRENTLY, which cannot run in a transaction and leaves an INVALID
 * index behind when it fails: the executor detects, drops and rebuilds such an index.
 */
export interface CreateIndexStep extends StepBase {
  kind: 'create-index';
  index: QualifiedName;
  table: QualifiedName;
  statement: string;
  undo: Undo;
}

/** One column a backfill writes, and the expression (over the row's current columns) it writes. */
export interface BackfillAssignment {
  column: string;
  expression: string;
}

/**
 * Copies or computes data into the new shape for every existing row, in short keyset batches on
 * the primary key (or, without one, a unique index on NOT NULL columns). One backfill step per
 * table serves every operation on that table.
 */
export interface BackfillStep extends StepBase {
  kind: 'backfill';
  table: QualifiedName;
  /** Key columns in index order, with their types (for casting the cursor back); empty for a ctid walk. */
  key: { name: string; type: string }[];
  /** The unique index `key` comes from when the table has no primary key (absent: the primary key). */
  keyIndex?: string;
  /**
   * `ctid`: the table has no key to walk, so batches are ranges of heap blocks (TID range scans);
   * the cursor is `[next block, the table's block count when the backfill started]`. Absent: keyset.
   */
  walk?: 'ctid';
  /**
   * A partitioned table's leaf partitions at planning time, in the order the backfill walks them:
   * every batch runs on one partition (keyset or ctid within it), and the cursor is
   * `[partition schema, partition name, ...the walk's cursor within it]` (backfill/partition-walk.ts).
   * Absent: a plain table, walked as one.
   */
  partitions?: QualifiedName[];
  assignments: BackfillAssignment[];
  /** SQL condition, true for rows that still need the backfill (so finished rows are not rewritten). */
  pending: string;
}

/**
 * A gate that reads the data: rows matching `violation` block the phase (e.g. rows where the new
 * column still differs from the old one). A sample of them is reported.
 */
export interface VerifyStep extends StepBase {
  kind: 'verify';
  table: QualifiedName;
  violation: string;
  /** Columns shown for sample rows (key first). */
  sampleColumns: string[];
  /** Explains a violation to the user. */
  message: string;
  /**
   * A btree index that answers the condition: the check runs with sequential scans off, so a
   * stale row estimate cannot turn it into the full scan the plan says it is not.
   */
  index?: string;
}

export type Step = SqlStep | CreateIndexStep | BackfillStep | VerifyStep;
export type StepKind = Step['kind'];

/** A condition checked before a phase starts; shown in the plan. */
export interface Gate {
  phase: Phase;
  kind: 'replica-lag' | 'backfill-complete' | 'steps-complete' | 'operator';
  description: string;
}

/** What the application team should do around a phase (read switch, old app retirement). */
export interface PhaseNote {
  phase: Phase;
  text: string;
}

export interface PlannedTable {
  table: QualifiedName;
  estimatedRows: number;
  sizeBytes: number;
  /** The table's indexes at planning time (for the backfill's WAL estimate; absent in plans recorded before it). */
  indexes?: number;
}

/** The plan of one migration: pure data, computed from the migration file and the catalog. */
export interface Plan {
  /** Plan format version, bumped when the JSON shape changes incompatibly. */
  formatVersion: 1;
  migration: string;
  file: string;
  checksum: string;
  serverVersionNum: number;
  /** Schemas the migration changes: at most one active migration per schema. */
  targetSchemas: string[];
  tables: PlannedTable[];
  operations: { index: number; op: string; summary: string }[];
  steps: Step[];
  gates: Gate[];
  notes: PhaseNote[];
}

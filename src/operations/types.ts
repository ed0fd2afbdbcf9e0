import type { z } from 'zod';
import type { Catalog, ColumnInfo, TableInfo } from '../db/catalog.js';
import type { TypeInfo } from '../db/catalog-types.js';
import type { QualifiedName } from '../db/quote.js';
import type {
  BackfillAssignment,
  CreateIndexStep,
  Impact,
  Phase,
  PhaseNote,
  SqlStep,
  VerifyStep,
} from '../plan/types.js';

/** One lint finding on a `sql` operation's SQL (the subset of the linter's Finding zdm uses). */
export interface SqlFinding {
  rule: string;
  severity: 'error' | 'warning';
  message: string;
}

/** The linter's verdict on one SQL text; `linted: false` when no linter ran. */
export interface SqlLintResult {
  linted: boolean;
  findings: SqlFinding[];
}

/** Names an operation needs from the catalog before it can be planned. */
export interface OperationRefs {
  tables?: string[];
  enums?: string[];
  indexes?: string[];
  /** Functions called by user expressions, as written (`gen_random_uuid`): their volatility is read. */
  functions?: string[];
  /** Tables whose referencing tables (inbound foreign keys) must be read too. */
  referencing?: string[];
  /** Column types as written: resolved in the catalog, so an unknown type is refused at plan time. */
  types?: string[];
}

/**
 * One operation kind (one file under src/operations/): its file shape and its planner. Planning
 * is pure: it reads the catalog snapshot and emits steps through the context, never touching the
 * database.
 */
export interface OperationDefinition<S extends { op: string }> {
  /** zod schema of the operation object in a migration file: the public file shape. */
  schema: z.ZodType<S>;
  refs(spec: S): OperationRefs;
  /** One line for plans and status: `rename public.users.user_email to email_address`. */
  summary(spec: S): string;
  plan(spec: S, ctx: PlanContext): void;
}

/** Fields common to every step an operation emits; the builder adds id and phase. */
export type StepFields<T> = Omit<T, 'id' | 'phase' | 'operations' | 'kind'>;

export interface StepBuilder {
  sql(phase: Phase, fields: StepFields<SqlStep>): void;
  createIndex(phase: Phase, fields: StepFields<CreateIndexStep>): void;
  verify(phase: Phase, fields: StepFields<VerifyStep>): void;
}

/** What an operation contributes to its table's single backfill pass. */
export interface BackfillContribution {
  table: TableInfo;
  assignments: BackfillAssignment[];
  /** SQL condition true for rows that still need this operation's assignments. */
  pending: string;
}

export interface PlanContext {
  readonly migration: string;
  readonly file: string;
  readonly catalog: Catalog;
  readonly opIndex: number;
  /** Resolves a table named in the operation's `field`, or reports it (file, path, name). */
  table(name: string, field: string): TableInfo;
  /** A column of `table`, or a validation error naming the column, the table and the field. */
  column(table: TableInfo, name: string, field: string): ColumnInfo;
  /**
   * The type named in `field` as the catalog resolves it; a type that does not exist is reported,
   * unless an earlier `sql` operation of the migration may create it (then, like serial types
   * and catalogs read without types: undefined).
   */
  type(text: string, field: string): TypeInfo | undefined;
  /** Reports a problem with the operation's `field` (no field: the operation as a whole). */
  fail(field: string | undefined, message: string): never;
  /** Step builder with ids `<kind>:<subject>:<phase>:<n>`. */
  steps(kind: string, subject: string): StepBuilder;
  backfill(contribution: BackfillContribution): void;
  note(note: PhaseNote): void;
  /** Impact of a brief ACCESS EXCLUSIVE (metadata-only DDL) on one table. */
  briefLock(table: QualifiedName, mode?: Impact['locks'][number]['mode']): Impact;
  /**
   * Makes a table this migration creates (or renames) visible to later operations of the same
   * migration: table() resolves it by name from then on.
   */
  declareTable(table: TableInfo): void;
  /** The linter's verdict on this operation's SQL at `field` (computed before planning); undefined when not linted. */
  sqlLint(field: string): SqlLintResult | undefined;
}

import type { z } from 'zod';
import type { Catalog, ColumnInfo, ConstraintInfo, IndexInfo, TableInfo } from '../db/catalog.js';
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
  /**
   * How the operation changes the virtual schema later operations of the same file plan against
   * (plan/model/): called after plan() with the same spec, it records every object the operation
   * adds, drops, renames or alters through `change`. Required, so a new operation cannot forget
   * it; an operation that changes no table, column, index, constraint or type says so with an
   * empty body and a comment. See src/ARCHITECTURE.md, "The virtual schema".
   */
  apply(spec: S, change: ModelChange): void;
}

/** What one operation did to a column, as the virtual schema remembers it for later operations. */
export type ColumnChangeKind = 'add' | 'drop' | 'rename-from' | 'rename-to' | 'retype';

export interface ColumnClaim {
  /** Index of the operation in the file, and its kind. */
  op: number;
  kind: string;
  change: ColumnChangeKind;
  /** rename-from / rename-to: the other name; retype: the new type (parseTypeName().sql). */
  detail: string;
  /** retype through a shadow column swapped in at switch: later operations cannot use the column. */
  shadow?: boolean;
}

/**
 * The mutations an operation's apply() makes to the virtual schema. Each records which operation
 * made it; a second structural change (add, drop, rename, retype) of one column by another
 * operation is refused, naming both operations. Tables are replaced, never changed in place, so
 * what earlier operations planned against stays as they saw it.
 */
export interface ModelChange {
  /** The virtual schema as the earlier operations (and this one, so far) leave it. */
  readonly catalog: Catalog;
  /** The table a name means, resolved like PlanContext.table (plan() already validated it). */
  table(name: string): TableInfo;
  /** What an earlier operation did to a column, if anything. */
  claimOf(table: QualifiedName, column: string): ColumnClaim | undefined;
  addTable(table: TableInfo): void;
  /** Dropped at contract: later operations cannot use it. */
  dropTable(table: QualifiedName): void;
  renameTable(table: QualifiedName, to: QualifiedName): void;
  addColumn(table: QualifiedName, column: ColumnInfo): void;
  dropColumn(table: QualifiedName, column: string): void;
  renameColumn(table: QualifiedName, from: string, to: string): void;
  /** A new type; `shadow`: through a shadow column swapped in at switch (changeColumnType). */
  retypeColumn(table: QualifiedName, column: string, type: string, shadow: boolean): void;
  /** Nullability, default, comment: no structural claim, any number of operations may do it. */
  alterColumn(
    table: QualifiedName,
    column: string,
    patch: Partial<Pick<ColumnInfo, 'notNull' | 'default' | 'comment' | 'generated'>>,
  ): void;
  /** Table attributes that are no structural change (its comment, its replica identity). */
  alterTable(
    table: QualifiedName,
    patch: Partial<Pick<TableInfo, 'comment' | 'replicaIdentity' | 'replicaIdentityIndex'>>,
  ): void;
  addIndex(table: QualifiedName, index: IndexInfo): void;
  dropIndex(table: QualifiedName, name: string): void;
  /** A foreign key is recorded on the referenced table too (its referencedBy). */
  addConstraint(table: QualifiedName, constraint: ConstraintInfo): void;
  /** A UNIQUE, PRIMARY KEY or EXCLUDE constraint's index goes with it. */
  dropConstraint(table: QualifiedName, name: string): void;
  /** The constraint's index (UNIQUE, PRIMARY KEY, EXCLUDE) is renamed with it, as Postgres does. */
  renameConstraint(table: QualifiedName, from: string, to: string): void;
  addEnumLabel(type: QualifiedName, label: string): void;
  /** A raw SQL text run in `phase`, applied statement by statement through the parser. */
  applySql(sql: string, phase: Phase): void;
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
  /**
   * Tables whose key each written row is checked against, by a foreign key the plan adds before
   * the backfill (ROW SHARE on each, per batch); foreign keys already in the catalog on a written
   * column are found by the planner.
   */
  keyChecks?: QualifiedName[];
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
  /** What an earlier operation of the file did to a column (virtual schema), if anything. */
  changedBy(table: QualifiedName, column: string): ColumnClaim | undefined;
  /** The renameColumn operations after this one in the file on `table`: old name -> new name. */
  laterRenames(table: QualifiedName): ReadonlyMap<string, string>;
  /** `operations[3] (renameColumn)`: how messages name another operation of the file. */
  describeOp(op: number): string;
  /**
   * When `written` (the name in the operation's `field`) has capitals and means the object named
   * `name` only by folding (none is spelled exactly so), a plan note says which object it chose
   * (`shown`); once per name. `what`: its kind (`index`, `type`, `constraint`). ctx.table and
   * ctx.column do it themselves.
   */
  notedFolding(field: string, written: string, name: string, shown: string, what: string): void;
  /** The linter's verdict on this operation's SQL at `field` (computed before planning); undefined when not linted. */
  sqlLint(field: string): SqlLintResult | undefined;
}

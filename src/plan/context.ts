import { tableKey, type Catalog, type ColumnInfo, type TableInfo } from '../db/catalog.js';
import type { TypeInfo } from '../db/catalog-types.js';
import {
  displayName,
  parseColumnName,
  parseObjectName,
  quoteIdent,
  spelledObjectName,
  type QualifiedName,
} from '../db/quote.js';
import type { ValidationIssue } from '../errors.js';
import type { MigrationFile } from '../migration/load.js';
import type { BackfillContribution, PlanContext, StepBuilder } from '../operations/types.js';
import type { MigrationSqlLint } from '../operations/support/sql-lint.js';
import { briefLock } from '../operations/support/ddl.js';
import type { SchemaModel } from './model/schema-model.js';
import type { Impact, Phase, PhaseNote, Step } from './types.js';

/** Thrown inside an operation's planner by ctx.fail(); collected into one ValidationError. */
export class OperationProblem extends Error {
  constructor(readonly issue: ValidationIssue) {
    super(issue.message);
  }
}

/** What the planner keeps across operations while it builds their contexts. */
export interface PlanState {
  migration: MigrationFile;
  model: SchemaModel;
  byPhase: Map<Phase, Step[]>;
  contributions: { op: number; c: BackfillContribution }[];
  notes: PhaseNote[];
  /** Tables the operations resolved, by key (the plan's tables and target schemas). */
  tables: Map<string, TableInfo>;
  counters: Map<string, number>;
  sqlLint?: MigrationSqlLint;
  /** Names already reported as resolved by folding (one note per name). */
  folded: Set<string>;
}

export function describeOp(migration: MigrationFile, op: number): string {
  return `operations[${op}] (${migration.spec.operations[op]?.op ?? '?'})`;
}

export function failer(migration: MigrationFile, opIndex: number) {
  return (field: string | undefined, message: string): never => {
    throw new OperationProblem({
      file: migration.file,
      path: `operations[${opIndex}]${field ? `.${field}` : ''}`,
      message,
    });
  };
}

/**
 * The table a name in a migration file means, in the virtual schema: the one spelled exactly
 * (case-sensitive) when it exists, else the SQL reading (unquoted parts fold to lower case).
 * Returns how it was found, so a name with capitals that resolved only by folding can be noted.
 */
export function lookupTable(model: SchemaModel, name: string): { table?: TableInfo; folded: boolean } {
  const spelled = spelledObjectName(name);
  const exact = spelled && model.findTable(spelled);
  if (exact) return { table: exact, folded: false };
  return { table: model.findTable(parseObjectName(name)), folded: spelled !== undefined };
}

function missingTable(state: PlanState, name: string): string {
  const ref = parseObjectName(name);
  const claim = state.model.tableClaim(ref);
  const shown = ref.schema === undefined ? quoteIdent(ref.name) : displayName(ref as QualifiedName);
  if (claim?.change === 'drop') return `table ${shown} is dropped by ${describeOp(state.migration, claim.op)}`;
  if (claim?.change === 'rename-from')
    return `table ${shown} is renamed to ${claim.detail} by ${describeOp(state.migration, claim.op)}: use the new name`;
  const catalog = state.model.catalog;
  return `table ${shown} does not exist${ref.schema === undefined ? ` (looked up through the search_path; first schema: ${catalog.defaultSchema})` : ''}`;
}

function missingColumn(state: PlanState, table: TableInfo, name: string): string {
  const claim = state.model.columnClaim(table, name);
  const where = `${displayName(table)}.${quoteIdent(name)}`;
  const by = claim && describeOp(state.migration, claim.op);
  if (claim?.change === 'drop') return `column ${where} is dropped by ${by}`;
  if (claim?.change === 'rename-from')
    return `column ${where} is renamed to ${quoteIdent(claim.detail)} by ${by}: use the new name`;
  const similar = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  return `column ${quoteIdent(name)} does not exist on table ${displayName(table)}${similar ? ` (there is ${quoteIdent(similar.name)}: names are case-sensitive when quoted)` : ''}`;
}

/** A plan note: the name written in `field` means `chosen` by folding (once per kind and name). */
function noteFolding(state: PlanState, opIndex: number, field: string, written: string, chosen: string, what: string) {
  const key = `${what}:${chosen}:${written}`;
  if (state.folded.has(key)) return;
  state.folded.add(key);
  state.notes.push({
    phase: 'expand',
    text:
      `operations[${opIndex}].${field} ${JSON.stringify(written)} means ${chosen}: no ${what} is named exactly ` +
      `${JSON.stringify(written)}, so the name folds to lower case as in SQL`,
  });
}

/**
 * The name as the file wrote it at `field` (`columns[0]`, `up.title`): the string there, or for a
 * map the key (`up.title` -> `title`), when it reads as `name`.
 */
function writtenName(spec: unknown, field: string, name: string): string | undefined {
  const parts = field.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
  let value: unknown = spec;
  for (const p of parts)
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[p] : undefined;
  const reads = (text: unknown): text is string => {
    try {
      return typeof text === 'string' && parseColumnName(text) === name;
    } catch {
      return false;
    }
  };
  if (reads(value)) return value;
  const key = parts[parts.length - 1];
  return reads(key) ? key : undefined;
}

/** The context one operation plans in: resolution through the virtual schema, step builder, notes. */
export function planContext(state: PlanState, opIndex: number): PlanContext {
  const { migration, model } = state;
  const fail = failer(migration, opIndex);
  const push = (phase: Phase, step: Step) => state.byPhase.get(phase)!.push(withUndoImpact(step));
  return {
    migration: migration.name,
    file: migration.file,
    catalog: model.catalog,
    opIndex,
    table(name, field) {
      const { table, folded } = lookupTable(model, name);
      if (!table) return fail(field, missingTable(state, name));
      if (!['r', 'p'].includes(table.relkind))
        fail(field, `${displayName(table)} is not a table (relkind ${table.relkind})`);
      if (folded) noteFolding(state, opIndex, field, name, displayName(table), 'table');
      state.tables.set(tableKey(table), table);
      return table;
    },
    column(table, name, field): ColumnInfo {
      const column = table.columns.find((c) => c.name === name);
      if (!column) return fail(field, missingColumn(state, table, name));
      const written = writtenName(migration.spec.operations[opIndex], field, name);
      const spelled = written === undefined ? undefined : spelledObjectName(written);
      if (written !== undefined && spelled !== undefined && spelled.name !== name)
        noteFolding(state, opIndex, field, written, `${displayName(table)}.${quoteIdent(name)}`, 'column');
      const claim = model.columnClaim(table, name);
      if (claim?.shadow && claim.op !== opIndex)
        fail(
          field,
          `${displayName(table)}.${quoteIdent(name)} gets a new type from ${describeOp(migration, claim.op)} through a new column swapped in at switch, so ${describeOp(migration, opIndex)} cannot change it in the same migration: put it before ${describeOp(migration, claim.op)} or in a later migration`,
        );
      return column;
    },
    fail,
    type: (text, field) => resolveType(migration, model.catalog, opIndex, text, () => fail(field, unknownType(text))),
    steps(kind, subject) {
      const next = (phase: Phase) => {
        const prefix = `${kind}:${subject}:${phase}`;
        const n = (state.counters.get(prefix) ?? 0) + 1;
        state.counters.set(prefix, n);
        return { id: `${prefix}:${n}`, phase, operations: [opIndex] };
      };
      const builder: StepBuilder = {
        sql: (phase, fields) => push(phase, { kind: 'sql', ...next(phase), ...fields }),
        createIndex: (phase, fields) => push(phase, { kind: 'create-index', ...next(phase), ...fields }),
        verify: (phase, fields) => push(phase, { kind: 'verify', ...next(phase), ...fields }),
      };
      return builder;
    },
    backfill(c) {
      state.contributions.push({ op: opIndex, c });
    },
    note(note) {
      state.notes.push(note);
    },
    briefLock,
    changedBy: (table, column) => model.columnClaim(table, column),
    laterRenames: (table) => laterRenames(state, opIndex, table),
    describeOp: (op) => describeOp(migration, op),
    notedFolding(field, written, name, shown, what) {
      const spelled = spelledObjectName(written);
      if (spelled !== undefined && spelled.name !== name) noteFolding(state, opIndex, field, written, shown, what);
    },
    sqlLint: (field) => state.sqlLint?.get(`operations[${opIndex}].${field}`),
  };
}

/** See PlanContext.laterRenames. */
function laterRenames(state: PlanState, opIndex: number, table: QualifiedName): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of state.migration.spec.operations.slice(opIndex + 1)) {
    if (spec.op !== 'renameColumn') continue;
    const t = lookupTable(state.model, spec.table).table;
    if (t && tableKey(t) === tableKey(table)) out.set(parseColumnName(spec.from), parseColumnName(spec.to));
  }
  return out;
}

/** See PlanContext.type. */
function resolveType(
  migration: MigrationFile,
  catalog: Catalog,
  opIndex: number,
  text: string,
  unknown: () => never,
): TypeInfo | undefined {
  const found = catalog.types?.get(text.trim());
  if (found || !catalog.types) return found;
  if (SERIAL.test(text.trim())) return undefined;
  if (migration.spec.operations.slice(0, opIndex).some((op) => op.op === 'sql')) return undefined;
  return unknown();
}

const SERIAL = /^(small|big)?serial[248]?$/i;

function unknownType(text: string): string {
  return `type ${JSON.stringify(text.trim())} does not exist (looked up through the search_path); create it first, or check the spelling`;
}

/**
 * An undo's impact, unless the operation gave one: it drops what the step added (a constraint, a
 * trigger, a column, a table, an index) on the relations the step locked, briefly, with no rewrite
 * and no scan. In a transaction that is ACCESS EXCLUSIVE on each (DROP CONSTRAINT, TRIGGER, COLUMN
 * and TABLE take it, on a foreign key's referenced table too, where adding took SHARE ROW
 * EXCLUSIVE); outside one (DROP INDEX CONCURRENTLY) the step's own modes. Undos that scan or
 * rewrite (a NOT NULL restored, a type narrowed back) say so themselves.
 */
function withUndoImpact(step: Step): Step {
  if (!('undo' in step) || !step.undo || step.undo.impact) return step;
  const locks = step.undo.transactional
    ? step.impact.locks.map((l) => ({ ...l, mode: 'ACCESS EXCLUSIVE' as const }))
    : step.impact.locks;
  const impact: Impact = { locks, lockDuration: 'brief', rewritesTable: false, scansTable: false };
  return { ...step, undo: { ...step.undo, impact } };
}

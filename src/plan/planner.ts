import type { Catalog, NameRef, TableInfo } from '../db/catalog.js';
import { tableKey } from '../db/catalog.js';
import { parseObjectName, spelledObjectName } from '../db/quote.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { MigrationFile } from '../migration/load.js';
import { definitionOf } from '../operations/registry.js';
import type { MigrationSqlLint } from '../operations/support/sql-lint.js';
import type { ModelChange, PlanContext } from '../operations/types.js';
import { backfillSteps } from './backfill-steps.js';
import { describeOp, failer, lookupTable, OperationProblem, planContext, type PlanState } from './context.js';
import { modelChange } from './model/change.js';
import { SchemaModel } from './model/schema-model.js';
import { setExpressionConflicts } from './set-expression-checks.js';
import { PHASES, type Gate, type Phase, type Plan, type Step } from './types.js';

/** Every catalog name a migration's operations need, for readCatalog() before planning. */
export function catalogRefs(migration: MigrationFile): {
  tables: NameRef[];
  enums: NameRef[];
  indexes: NameRef[];
  functions: string[];
  referencing: NameRef[];
  types: string[];
} {
  const refs = {
    tables: [] as NameRef[],
    enums: [] as NameRef[],
    indexes: [] as NameRef[],
    functions: [] as string[],
    referencing: [] as NameRef[],
    types: [] as string[],
  };
  for (const spec of migration.spec.operations) {
    const wanted = definitionOf(spec).refs(spec as never);
    // Both readings of a name with capitals: the object spelled exactly wins when it exists (tables,
    // enum types, indexes, the tables referencing a table; columns and constraints are read with
    // their table).
    for (const t of wanted.tables ?? []) refs.tables.push(...readings(t));
    for (const e of wanted.enums ?? []) refs.enums.push(...readings(e));
    for (const i of wanted.indexes ?? []) refs.indexes.push(...readings(i));
    refs.functions.push(...(wanted.functions ?? []));
    for (const r of wanted.referencing ?? []) refs.referencing.push(...readings(r));
    refs.types.push(...(wanted.types ?? []));
  }
  return refs;
}

function readings(name: string): NameRef[] {
  const spelled = spelledObjectName(name);
  return spelled ? [spelled, parseObjectName(name)] : [parseObjectName(name)];
}

/** What planning needs besides the file and the catalog, computed beforehand (asynchronously). */
export interface PlanInputs {
  /** Lint results of the `sql` operations (operations/support/sql-lint.ts lintMigrationSql). */
  sqlLint?: MigrationSqlLint;
}

/**
 * Plans a migration against a catalog snapshot: a pure function. The operations are planned in
 * file order against the virtual schema (plan/model/), which each one's apply() then changes, so
 * every operation sees the schema as the earlier ones leave it. Every problem in every operation
 * is reported at once, each naming the file, the path in it and the object.
 */
export function planMigration(migration: MigrationFile, catalog: Catalog, inputs: PlanInputs = {}): Plan {
  return planAgainstModel(migration, catalog, inputs).plan;
}

/**
 * planMigration, and the schema as the migration leaves it after contract (the virtual schema):
 * what the next migration of a directory would be planned against, without a database in between.
 */
export function planAgainstModel(
  migration: MigrationFile,
  catalog: Catalog,
  inputs: PlanInputs = {},
): { plan: Plan; after: Catalog } {
  const state: PlanState = {
    migration,
    model: new SchemaModel(catalog),
    byPhase: new Map<Phase, Step[]>(PHASES.map((p) => [p, []])),
    contributions: [],
    notes: [],
    tables: new Map<string, TableInfo>(),
    counters: new Map<string, number>(),
    ...(inputs.sqlLint ? { sqlLint: inputs.sqlLint } : {}),
    folded: new Set(),
  };
  const issues: ValidationIssue[] = [];
  migration.spec.operations.forEach((spec, opIndex) => {
    const ctx = planContext(state, opIndex);
    // An operation that failed changes nothing: the operations after it plan against the schema
    // without it (their own problems are reported too, after its).
    if (collect(issues, () => definitionOf(spec).plan(spec as never, ctx)))
      collect(issues, () => definitionOf(spec).apply(spec as never, applyContext(state, opIndex, ctx)));
  });
  for (const t of state.model.created.values()) state.tables.set(tableKey(t), t);

  const backfills = backfillSteps(state.contributions, {
    serverVersionNum: catalog.serverVersionNum,
    report: reporter(issues, migration),
    note: (note) => state.notes.push(note),
  });
  state.byPhase.get('backfill')!.push(...backfills);
  const steps = PHASES.flatMap((p) => state.byPhase.get(p)!);
  if (issues.length === 0) issues.push(...setExpressionConflicts(steps, migration));
  if (issues.length > 0) throw new ValidationError(issues);

  const tables = [...state.tables.values()];
  const schemas = [...new Set(tables.map((t) => t.schema))].sort();
  const plan: Plan = {
    formatVersion: 1,
    migration: migration.name,
    file: migration.file,
    checksum: migration.checksum,
    serverVersionNum: catalog.serverVersionNum,
    targetSchemas: schemas,
    tables: tables.map((t) => ({
      table: { schema: t.schema, name: t.name },
      estimatedRows: t.estimatedRows,
      sizeBytes: t.sizeBytes,
      indexes: t.indexes.length,
    })),
    operations: migration.spec.operations.map((spec, index) => ({
      index,
      op: spec.op,
      summary: definitionOf(spec).summary(spec as never),
    })),
    steps,
    gates: gates(steps),
    notes: state.notes,
  };
  return { plan, after: state.model.catalog };
}

/** Runs one operation's plan() or apply(), collecting its problems; false when it reported any. */
function collect(issues: ValidationIssue[], run: () => void): boolean {
  try {
    run();
    return true;
  } catch (err) {
    if (err instanceof OperationProblem) issues.push(err.issue);
    else if (err instanceof ValidationError) issues.push(...err.issues);
    else throw err;
    return false;
  }
}

function applyContext(state: PlanState, opIndex: number, ctx: PlanContext): ModelChange {
  const fail = failer(state.migration, opIndex);
  return modelChange(state.model, {
    index: opIndex,
    kind: state.migration.spec.operations[opIndex]!.op,
    describe: (op) => describeOp(state.migration, op),
    fail: (message) => fail(undefined, message),
    table(name) {
      const { table } = lookupTable(state.model, name);
      return table ?? ctx.table(name, 'table');
    },
  });
}

function reporter(issues: ValidationIssue[], migration: MigrationFile) {
  return (op: number, message: string) => issues.push({ file: migration.file, path: `operations[${op}]`, message });
}

function gates(steps: Step[]): Gate[] {
  const out: Gate[] = [];
  const phasesWithSteps = new Set(steps.map((s) => s.phase));
  for (const phase of PHASES) {
    if (!phasesWithSteps.has(phase)) continue;
    out.push({
      phase,
      kind: 'replica-lag',
      description: 'replica lag below --max-lag and --max-lag-bytes, sampled several times over at least a second',
    });
    if (phase === 'switch' && phasesWithSteps.has('backfill'))
      out.push({ phase, kind: 'backfill-complete', description: 'every backfill has reached the end of its table' });
    if (phase === 'contract')
      out.push({
        phase,
        kind: 'operator',
        description:
          'no running application version still uses the old shape: advancing to contract is that confirmation',
      });
  }
  return out;
}

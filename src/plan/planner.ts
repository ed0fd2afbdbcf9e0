import type { Catalog, NameRef, TableInfo } from '../db/catalog.js';
import { tableKey } from '../db/catalog.js';
import { displayName, parseObjectName, quoteIdent, type QualifiedName } from '../db/quote.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { MigrationFile } from '../migration/load.js';
import { definitionOf } from '../operations/registry.js';
import type { MigrationSqlLint } from '../operations/support/sql-lint.js';
import type { BackfillContribution, PlanContext, StepBuilder } from '../operations/types.js';
import {
  PHASES,
  type BackfillStep,
  type Gate,
  type Impact,
  type Phase,
  type PhaseNote,
  type Plan,
  type Step,
} from './types.js';

/** Every catalog name a migration's operations need, for readCatalog() before planning. */
export function catalogRefs(migration: MigrationFile): {
  tables: NameRef[];
  enums: NameRef[];
  indexes: NameRef[];
  functions: string[];
  referencing: NameRef[];
} {
  const refs = {
    tables: [] as NameRef[],
    enums: [] as NameRef[],
    indexes: [] as NameRef[],
    functions: [] as string[],
    referencing: [] as NameRef[],
  };
  for (const spec of migration.spec.operations) {
    const wanted = definitionOf(spec).refs(spec as never);
    for (const t of wanted.tables ?? []) refs.tables.push(parseObjectName(t));
    for (const e of wanted.enums ?? []) refs.enums.push(parseObjectName(e));
    for (const i of wanted.indexes ?? []) refs.indexes.push(parseObjectName(i));
    refs.functions.push(...(wanted.functions ?? []));
    for (const r of wanted.referencing ?? []) refs.referencing.push(parseObjectName(r));
  }
  return refs;
}

/** Thrown inside an operation's planner by ctx.fail(); collected into one ValidationError. */
class OperationProblem extends Error {
  constructor(readonly issue: ValidationIssue) {
    super(issue.message);
  }
}

/** What planning needs besides the file and the catalog, computed beforehand (asynchronously). */
export interface PlanInputs {
  /** Lint results of the `sql` operations (operations/support/sql-lint.ts lintMigrationSql). */
  sqlLint?: MigrationSqlLint;
}

/**
 * Plans a migration against a catalog snapshot: a pure function. Every problem in every operation
 * is reported at once, each naming the file, the path in it and the object.
 */
export function planMigration(migration: MigrationFile, catalog: Catalog, inputs: PlanInputs = {}): Plan {
  const byPhase = new Map<Phase, Step[]>(PHASES.map((p) => [p, []]));
  const contributions: { op: number; c: BackfillContribution }[] = [];
  const notes: PhaseNote[] = [];
  const tables = new Map<string, TableInfo>();
  // Tables created or renamed by earlier operations of this migration, by qualified name.
  const declared = new Map<string, TableInfo>();
  const counters = new Map<string, number>();
  const issues: ValidationIssue[] = [];

  migration.spec.operations.forEach((spec, opIndex) => {
    const fail = (field: string | undefined, message: string): never => {
      throw new OperationProblem({
        file: migration.file,
        path: `operations[${opIndex}]${field ? `.${field}` : ''}`,
        message,
      });
    };
    const push = (phase: Phase, step: Step) => byPhase.get(phase)!.push(step);
    const ctx: PlanContext = {
      migration: migration.name,
      file: migration.file,
      catalog,
      opIndex,
      table(name, field) {
        const ref = parseObjectName(name);
        const own = declared.get(tableKey({ schema: ref.schema ?? catalog.defaultSchema, name: ref.name }));
        const resolved =
          ref.schema === undefined ? catalog.resolved.get(ref.name) : { schema: ref.schema, name: ref.name };
        const table = own ?? (resolved && catalog.tables.get(tableKey(resolved)));
        if (!table) {
          const shown = ref.schema === undefined ? quoteIdent(ref.name) : displayName(ref as QualifiedName);
          return fail(
            field,
            `table ${shown} does not exist${ref.schema === undefined ? ` (looked up through the search_path; first schema: ${catalog.defaultSchema})` : ''}`,
          );
        }
        if (!['r', 'p'].includes(table.relkind))
          fail(field, `${displayName(table)} is not a table (relkind ${table.relkind})`);
        tables.set(tableKey(table), table);
        return table;
      },
      column(table, name, field) {
        const column = table.columns.find((c) => c.name === name);
        if (!column) {
          const similar = table.columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
          return fail(
            field,
            `column ${quoteIdent(name)} does not exist on table ${displayName(table)}${similar ? ` (there is ${quoteIdent(similar.name)}: names are case-sensitive when quoted)` : ''}`,
          );
        }
        return column;
      },
      fail,
      steps(kind, subject) {
        const next = (phase: Phase) => {
          const prefix = `${kind}:${subject}:${phase}`;
          const n = (counters.get(prefix) ?? 0) + 1;
          counters.set(prefix, n);
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
        contributions.push({ op: opIndex, c });
      },
      note(note) {
        notes.push(note);
      },
      briefLock,
      declareTable(table) {
        declared.set(tableKey(table), table);
        tables.set(tableKey(table), table);
      },
      sqlLint: (field) => inputs.sqlLint?.get(`operations[${opIndex}].${field}`),
    };
    try {
      definitionOf(spec).plan(spec as never, ctx);
    } catch (err) {
      if (err instanceof OperationProblem) issues.push(err.issue);
      else if (err instanceof ValidationError) issues.push(...err.issues);
      else throw err;
    }
  });

  byPhase.get('backfill')!.push(...backfillSteps(contributions, reporter(issues, migration)));
  if (issues.length > 0) throw new ValidationError(issues);

  const steps = PHASES.flatMap((p) => byPhase.get(p)!);
  const schemas = [...new Set([...tables.values()].map((t) => t.schema))].sort();
  return {
    formatVersion: 1,
    migration: migration.name,
    file: migration.file,
    checksum: migration.checksum,
    serverVersionNum: catalog.serverVersionNum,
    targetSchemas: schemas,
    tables: [...tables.values()].map((t) => ({
      table: { schema: t.schema, name: t.name },
      estimatedRows: t.estimatedRows,
      sizeBytes: t.sizeBytes,
    })),
    operations: migration.spec.operations.map((spec, index) => ({
      index,
      op: spec.op,
      summary: definitionOf(spec).summary(spec as never),
    })),
    steps,
    gates: gates(steps),
    notes,
  };
}

function reporter(issues: ValidationIssue[], migration: MigrationFile) {
  return (op: number, message: string) => issues.push({ file: migration.file, path: `operations[${op}]`, message });
}

export function briefLock(table: QualifiedName, mode: Impact['locks'][number]['mode'] = 'ACCESS EXCLUSIVE'): Impact {
  return { locks: [{ relation: table, mode }], lockDuration: 'brief', rewritesTable: false, scansTable: false };
}

/** One backfill pass per table, serving every operation that contributed to it. */
function backfillSteps(
  contributions: { op: number; c: BackfillContribution }[],
  report: (op: number, message: string) => void,
): BackfillStep[] {
  const byTable = new Map<string, { ops: number[]; c: BackfillContribution[] }>();
  for (const { op, c } of contributions) {
    const key = tableKey(c.table);
    const entry = byTable.get(key) ?? { ops: [], c: [] };
    entry.ops.push(op);
    entry.c.push(c);
    byTable.set(key, entry);
  }
  const steps: BackfillStep[] = [];
  for (const { ops, c } of byTable.values()) {
    const table = c[0]!.table;
    if (!table.primaryKey) {
      report(
        ops[0]!,
        `table ${displayName(table)} has no primary key; the backfill copies rows in batches by primary key: add one first (addPrimaryKey)`,
      );
      continue;
    }
    const key_ = table.primaryKey.columns.map((name) => ({
      name,
      type: table.columns.find((col) => col.name === name)!.type,
    }));
    const t = { schema: table.schema, name: table.name };
    steps.push({
      kind: 'backfill',
      id: `backfill:${displayName(t)}:backfill:1`,
      phase: 'backfill',
      operations: [...new Set(ops)],
      description: `copy data into ${c.flatMap((x) => x.assignments.map((a) => quoteIdent(a.column))).join(', ')} for every existing row of ${displayName(t)}, in keyset batches on (${key_.map((k) => quoteIdent(k.name)).join(', ')})`,
      table: t,
      key: key_,
      assignments: c.flatMap((x) => x.assignments),
      pending: c.length === 1 ? c[0]!.pending : c.map((x) => `(${x.pending})`).join(' OR '),
      impact: {
        locks: [{ relation: t, mode: 'ROW EXCLUSIVE' }],
        lockDuration: 'per-batch',
        rewritesTable: false,
        scansTable: false,
        estimatedRows: table.estimatedRows,
      },
    });
  }
  return steps;
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

import { z } from 'zod';
import { quoteIdent, type QualifiedName } from '../db/quote.js';
import { tableKey } from '../db/catalog.js';
import { LOCK_NAMES, statementLocks, statementScans } from '../lint/locks.js';
import { LOCK_MODES, PHASES, type Impact, type LockMode, type LockTaken } from '../plan/types.js';
import { cannotRunInTransaction, relationsIn, splitStatements, type SqlStatement } from '../sql/statements.js';
import type { OperationDefinition, PlanContext } from './types.js';

export const sqlSchema = z
  .object({
    op: z.literal('sql'),
    phase: z.enum(PHASES),
    sql: z.string().min(1, 'give the SQL to run'),
    /** SQL that undoes `sql`, run by zdm rollback; "" when there is nothing to undo. */
    rollback: z.string().optional(),
    /** Lint rule ids accepted for this SQL, e.g. ["drop-column"]. */
    allow: z.array(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a lint rule id, e.g. "drop-column"')).optional(),
    /** Run the statements in one transaction (default: yes, unless one cannot run in a transaction). */
    transactional: z.boolean().optional(),
  })
  .strict();

export type SqlOperation = z.infer<typeof sqlSchema>;

/** Whether the operation's statements run in one transaction: as asked, else unless one cannot. */
export function sqlTransactional(spec: Pick<SqlOperation, 'sql' | 'transactional'>): boolean {
  if (spec.transactional !== undefined) return spec.transactional;
  try {
    return !splitStatements(spec.sql).some(cannotRunInTransaction);
  } catch {
    return true;
  }
}

/**
 * Raw SQL in the phase the user names. Safety comes from the linter: the SQL (and its rollback) is
 * linted before planning (operations/sql-lint.ts) and an error-level finding refuses the migration
 * at plan time unless the operation lists the rule in `allow`. The statements are split with the
 * real parser; transactional ones run in one transaction with lock_timeout and retries, others
 * (CONCURRENTLY, ...) one by one, which is why those must be idempotent (IF NOT EXISTS).
 *
 * Rollback: phases before contract can be rolled back, so `rollback` is required there ("" states
 * that nothing needs undoing); contract is never rolled back, so `rollback` is refused there.
 */
export const sql: OperationDefinition<SqlOperation> = {
  schema: sqlSchema,
  refs(spec) {
    try {
      return {
        tables: splitStatements(spec.sql)
          .flatMap(relationsIn)
          .map((r) => (r.schema ? `${quoteIdent(r.schema)}.${quoteIdent(r.name)}` : quoteIdent(r.name))),
      };
    } catch {
      return {};
    }
  },
  summary: (spec) => `run SQL in ${spec.phase}: ${oneLine(spec.sql)}`,
  apply(spec, change) {
    change.applySql(spec.sql, spec.phase);
  },
  plan(spec, ctx) {
    const statements = parse(ctx, 'sql', spec.sql);
    if (statements.length === 0) ctx.fail('sql', 'contains no statement');
    const transactional = sqlTransactional(spec);
    const outside = statements.filter(cannotRunInTransaction);
    if (transactional && outside.length > 0)
      ctx.fail('transactional', `${outside[0]!.kind} cannot run inside a transaction; remove "transactional": true`);
    if (statements.some((s) => s.kind === 'TransactionStmt'))
      ctx.fail(
        'sql',
        'must not contain BEGIN/COMMIT/ROLLBACK/SAVEPOINT: ' +
          'zdm runs the statements in one transaction (or none, with "transactional": false)',
      );

    if (spec.phase === 'contract' && spec.rollback !== undefined)
      ctx.fail(
        'rollback',
        'contract is never rolled back (it runs after the old shape is retired); ' +
          'remove "rollback" or move the SQL to an earlier phase',
      );
    if (spec.phase !== 'contract' && spec.rollback === undefined) {
      ctx.fail(
        'rollback',
        `zdm rollback undoes every phase before contract: give the SQL that undoes ` +
          `this ${spec.phase} SQL, or "" if it needs no undo`,
      );
    }
    const undo =
      spec.rollback !== undefined && spec.rollback.trim() !== '' ? parse(ctx, 'rollback', spec.rollback) : [];

    refuseLintFindings(ctx, spec, 'sql');
    if (undo.length > 0) refuseLintFindings(ctx, spec, 'rollback');

    const relations = statements.flatMap(relationsIn).map((r) => resolve(ctx, r));
    // Existing tables it names count for the plan's tables and target schemas (one active migration per schema).
    for (const r of relations)
      if (['r', 'p'].includes(ctx.catalog.tables.get(tableKey(r))?.relkind ?? ''))
        ctx.table(`${quoteIdent(r.schema)}.${quoteIdent(r.name)}`, 'sql');
    ctx.steps('sql', `${ctx.opIndex}`).sql(spec.phase, {
      description:
        `raw SQL (${statements.length} statement${statements.length === 1 ? '' : 's'}); ` +
        `locks from each statement's parse tree (a statement kind the linter does not model: ` +
        `ACCESS EXCLUSIVE on every relation it names)`,
      statements: statements.map((s) => s.sql),
      transactional,
      impact: statementsImpact(ctx, statements),
      ...(undo.length > 0
        ? { undo: { statements: undo.map((s) => s.sql), transactional: !undo.some(cannotRunInTransaction) } }
        : {}),
    });
    if (!transactional)
      ctx.note({
        phase: spec.phase,
        text:
          `operations[${ctx.opIndex}] runs outside a transaction, statement by statement: ` +
          `a retry after a failure runs them all again, so write them idempotent (IF [NOT] EXISTS)`,
      });
    if (spec.rollback?.trim() === '' && spec.phase !== 'contract')
      ctx.note({
        phase: spec.phase,
        text: `operations[${ctx.opIndex}] has an empty rollback: zdm rollback leaves its effect in place`,
      });
  },
};

function parse(ctx: PlanContext, field: 'sql' | 'rollback', text: string): SqlStatement[] {
  try {
    return splitStatements(text);
  } catch (err) {
    return ctx.fail(field, (err as Error).message);
  }
}

/** Error findings refuse the operation unless allowed; warnings and a missing linter become notes. */
function refuseLintFindings(ctx: PlanContext, spec: SqlOperation, field: 'sql' | 'rollback'): void {
  const lint = ctx.sqlLint(field);
  if (!lint?.linted) {
    ctx.note({
      phase: spec.phase,
      text: `operations[${ctx.opIndex}].${field} was not linted (no linter available): review it by hand`,
    });
    return;
  }
  const allowed = new Set(spec.allow ?? []);
  const refused = lint.findings.filter((f) => f.severity === 'error' && !allowed.has(f.rule));
  if (refused.length > 0) {
    ctx.fail(
      field,
      `refused by lint: ${refused.map((f) => `[${f.rule}] ${f.message}`).join('; ')}. If you accept ` +
        `the risk, add ${JSON.stringify(refused.map((f) => f.rule))} to "allow"`,
    );
  }
  for (const f of lint.findings.filter((x) => x.severity === 'warning' && !allowed.has(x.rule))) {
    ctx.note({ phase: spec.phase, text: `operations[${ctx.opIndex}].${field}: lint warning [${f.rule}] ${f.message}` });
  }
}

/**
 * What the statements lock and whether one reads a whole table, from the linter's per-statement
 * lock table (lint/locks.ts, the one place that knows them); the strongest mode per relation.
 */
function statementsImpact(ctx: PlanContext, statements: SqlStatement[]): Impact {
  const locks = new Map<string, LockTaken>();
  const take = (relation: QualifiedName, mode: LockMode): void => {
    const known = locks.get(tableKey(relation));
    if (!known || LOCK_MODES.indexOf(mode) > LOCK_MODES.indexOf(known.mode))
      locks.set(tableKey(relation), { relation, mode });
  };
  for (const statement of statements) {
    const body = statement.node[statement.kind] as Record<string, unknown>;
    const targets = statementLocks(statement.kind, body);
    if (targets.length === 0) for (const r of relationsIn(statement)) take(resolve(ctx, r), 'ACCESS EXCLUSIVE');
    for (const t of targets) {
      const ref = { ...(t.relation.schema !== undefined ? { schema: t.relation.schema } : {}), name: t.relation.name };
      take((t.viaIndex ? indexTable(ctx, ref) : undefined) ?? resolve(ctx, ref), LOCK_NAMES[t.mode] as LockMode);
    }
  }
  const scans = statements.some((s) => statementScans(s.kind, s.node[s.kind] as Record<string, unknown>));
  return {
    locks: [...locks.values()],
    lockDuration: scans ? 'scan' : 'brief',
    rewritesTable: false,
    scansTable: scans,
  };
}

/** The table of an index the catalog knows (DROP INDEX, ALTER INDEX: the lock lands on the table). */
function indexTable(ctx: PlanContext, r: { schema?: string; name: string }): QualifiedName | undefined {
  for (const table of ctx.catalog.tables.values())
    if (table.indexes.some((ix) => ix.name === r.name && ix.schema === (r.schema ?? table.schema)))
      return { schema: table.schema, name: table.name };
  return undefined;
}

function resolve(ctx: PlanContext, r: { schema?: string; name: string }): QualifiedName {
  if (r.schema !== undefined) return { schema: r.schema, name: r.name };
  const found = ctx.catalog.resolved.get(r.name);
  return found && ctx.catalog.tables.has(tableKey(found)) ? found : { schema: ctx.catalog.defaultSchema, name: r.name };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

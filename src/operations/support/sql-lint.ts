import type { LintCatalog } from '../../lint/index.js';
import type { MigrationSpec } from '../../migration/schema.js';
import { sqlTransactional } from '../sql.js';
import type { SqlLintResult } from '../types.js';

export type { SqlFinding, SqlLintResult } from '../types.js';

/** Lint results of a migration's `sql` operations, keyed by path: `operations[3].sql`, `operations[3].rollback`. */
export type MigrationSqlLint = ReadonlyMap<string, SqlLintResult>;

export interface SqlLintOptions {
  /** Migration file, for the findings' locations. */
  file: string;
  /** The statements run inside one transaction (the linter's assumeInTransaction). */
  transactional: boolean;
  serverVersionNum?: number;
  /** The database's catalog, for the precise checks (an empty or new table, a type widening). */
  catalog?: LintCatalog;
}

/**
 * The seam between the `sql` operation and the linter (src/lint): linting loads a WASM parser, so
 * it is asynchronous, while planning is pure and synchronous. planFile() calls this for every
 * `sql` operation before planning and hands the results to the planner (PlanContext.sqlLint).
 * The linter is imported only here and only when a migration has `sql` operations, so planning
 * other migrations does not load it. Its default rule profile applies (the `lint` section of
 * zdm.config.json configures `zdm lint`, not this check); `allow` on the operation accepts rules.
 */
async function lintOperationSql(sql: string, options: SqlLintOptions): Promise<SqlLintResult> {
  const { lintSql } = await import('../../lint/index.js');
  const findings = await lintSql(sql, {
    file: options.file,
    assumeInTransaction: options.transactional,
    ...(options.serverVersionNum ? { pgVersion: Math.floor(options.serverVersionNum / 10000) } : {}),
    ...(options.catalog ? { catalog: options.catalog } : {}),
  });
  return { linted: true, findings: findings.map(({ rule, severity, message }) => ({ rule, severity, message })) };
}

/** Lints the `sql` and `rollback` text of every `sql` operation of a migration. */
export async function lintMigrationSql(
  migration: { file: string; spec: MigrationSpec },
  context: { serverVersionNum?: number; catalog?: () => Promise<LintCatalog> } = {},
): Promise<MigrationSqlLint> {
  const results = new Map<string, SqlLintResult>();
  let catalog: LintCatalog | undefined;
  for (const [i, op] of migration.spec.operations.entries()) {
    if (op.op !== 'sql') continue;
    catalog ??= await context.catalog?.();
    const transactional = sqlTransactional(op);
    for (const field of ['sql', 'rollback'] as const) {
      const text = op[field];
      if (text === undefined || text.trim() === '') continue;
      results.set(
        `operations[${i}].${field}`,
        await lintOperationSql(text, {
          file: migration.file,
          transactional,
          ...(context.serverVersionNum ? { serverVersionNum: context.serverVersionNum } : {}),
          ...(catalog ? { catalog } : {}),
        }),
      );
    }
  }
  return results;
}

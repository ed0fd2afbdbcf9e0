import type { AlterTableCmd, AlterTableStmt, Node } from 'libpg-query';
import { as } from '../ast.js';
import { optionOn } from '../../sql/options.js';
import { defineRule } from '../rule.js';

/** The statement kinds that Postgres refuses inside a transaction block. */
function concurrentStatement(kind: string, body: Record<string, unknown>): string | undefined {
  if (kind === 'IndexStmt' && body.concurrent) return 'CREATE INDEX CONCURRENTLY';
  if (kind === 'DropStmt' && body.concurrent) return 'DROP INDEX CONCURRENTLY';
  if (kind === 'ReindexStmt' && optionOn(body.params as Node[], 'concurrently')) return 'REINDEX CONCURRENTLY';
  if (kind === 'AlterTableStmt') {
    for (const c of (body as AlterTableStmt).cmds ?? []) {
      const cmd = as<AlterTableCmd>(c, 'AlterTableCmd');
      if (cmd?.subtype === 'AT_DetachPartition' && as<{ concurrent?: boolean }>(cmd.def, 'PartitionCmd')?.concurrent)
        return 'DETACH PARTITION CONCURRENTLY';
    }
  }
  return undefined;
}

export const concurrentlyInTransaction = defineRule({
  id: 'concurrently-in-transaction',
  severity: 'error',
  defaultOn: true,
  kinds: ['IndexStmt', 'DropStmt', 'ReindexStmt', 'AlterTableStmt'],
  summary: 'a CONCURRENTLY statement inside a transaction fails with "cannot run inside a transaction block"',
  help:
    'put the CONCURRENTLY statement in its own migration that runs outside a transaction (zdm ' +
    'runs createIndex/dropIndex outside one for you)',
  check(ctx) {
    if (!ctx.session.tx) return;
    const what = concurrentStatement(ctx.stmt.kind, ctx.stmt.body);
    if (!what) return;
    const why = ctx.session.tx.explicit
      ? 'inside BEGIN ... COMMIT'
      : 'in a file the runner wraps in a transaction (assume-in-transaction)';
    ctx.report({
      message:
        `${what} ${why} fails: ERROR: ${what} cannot run inside a transaction block, ` +
        `leaving the rest of the migration half applied`,
    });
  },
});

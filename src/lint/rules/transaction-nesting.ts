import type { TransactionStmt } from 'libpg-query';
import { defineRule } from '../rule.js';

const OPEN = ['TRANS_STMT_BEGIN', 'TRANS_STMT_START'];
const CLOSE = ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK'];

/**
 * Postgres only warns about BEGIN inside a transaction or COMMIT outside one: the intended atomicity
 * is silently lost.
 */
export const transactionNesting = defineRule({
  id: 'transaction-nesting',
  severity: 'error',
  defaultOn: true,
  kinds: ['TransactionStmt'],
  summary: 'BEGIN inside a transaction, COMMIT/ROLLBACK outside one, or either when the runner wraps the file',
  help:
    'one transaction per file, or let the migration runner manage transactions (remove ' +
    'BEGIN/COMMIT when it wraps the file)',
  check(ctx) {
    if (ctx.stmt.kind !== 'TransactionStmt') return;
    const kind = (ctx.stmt.body as TransactionStmt).kind ?? '';
    const tx = ctx.session.tx;
    const assumed = ctx.session.assumeInTransaction;
    if (OPEN.includes(kind) && tx) {
      ctx.report({
        message: tx.explicit
          ? 'BEGIN inside an open transaction: Postgres only warns, and the first COMMIT ends both, ' +
            'so later statements are no longer atomic'
          : 'BEGIN in a file the runner already wraps in a transaction: ' +
            "the COMMIT that follows ends the runner's transaction early",
      });
    } else if (CLOSE.includes(kind) && (!tx || (assumed && !tx.explicit))) {
      ctx.report({
        message: tx
          ? `${kind === 'TRANS_STMT_COMMIT' ? 'COMMIT' : 'ROLLBACK'} ends the runner's transaction ` +
            `early: the statements after it run outside any transaction`
          : `${kind === 'TRANS_STMT_COMMIT' ? 'COMMIT' : 'ROLLBACK'} without an open transaction: ` +
            `Postgres only warns, so the intended transaction boundary does not exist`,
      });
    } else if (CLOSE.includes(kind) && assumed && tx?.explicit) {
      ctx.report({
        message: "COMMIT/ROLLBACK in a file the runner wraps in a transaction: it ends the runner's transaction too",
      });
    }
  },
});

import { defineRule } from '../rule.js';

export const uncommittedTransaction = defineRule({
  id: 'uncommitted-transaction',
  severity: 'error',
  defaultOn: true,
  summary: 'the file ends with a transaction still open',
  help: 'add COMMIT at the end of the file',
  finish(ctx) {
    const tx = ctx.session.tx;
    if (!tx?.explicit || ctx.session.assumeInTransaction) return;
    const begin = [...ctx.statements]
      .reverse()
      .find(
        (s) => s.kind === 'TransactionStmt' && ['TRANS_STMT_BEGIN', 'TRANS_STMT_START'].includes(s.body.kind as string),
      );
    ctx.report({
      message:
        'the file ends inside the transaction opened here: ' +
        'the runner may commit or roll it back implicitly, so its changes may silently not be applied',
      statement: begin,
    });
  },
});

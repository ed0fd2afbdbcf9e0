import { LOCK_NAMES } from '../locks.js';
import { defineRule } from '../rule.js';
import { strongLockOnExisting } from './missing-lock-timeout.js';

export const missingStatementTimeout = defineRule({
  id: 'missing-statement-timeout',
  severity: 'warning',
  defaultOn: false,
  summary: 'a statement takes a strong lock with no statement_timeout set',
  help: "SET statement_timeout (generous, e.g. '1h' for migrations) at the top of the file",
  check(ctx) {
    if (ctx.session.statementTimeout?.on) return;
    const lock = strongLockOnExisting(ctx);
    if (!lock || !ctx.once('file')) return;
    ctx.report({
      message:
        `no statement_timeout is set before a statement that takes ${LOCK_NAMES[lock.mode]} ` +
        `on ${lock.table}: a runaway statement holds that lock indefinitely`,
    });
  },
});

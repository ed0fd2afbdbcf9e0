import { display } from '../names.js';
import { defineRule } from '../rule.js';

const HARMLESS = new Set(['VariableSetStmt', 'VariableShowStmt', 'TransactionStmt']);

/** An ACCESS EXCLUSIVE lock is held until COMMIT: every later statement in the transaction extends the outage. */
export const holdAccessExclusiveAcrossStatements = defineRule({
  id: 'hold-access-exclusive-across-statements',
  severity: 'warning',
  defaultOn: false,
  summary: 'statements after one that took ACCESS EXCLUSIVE in the same transaction keep that lock held',
  help: 'COMMIT right after the statement that takes ACCESS EXCLUSIVE; one risky statement per transaction',
  check(ctx) {
    const ae = ctx.session.tx?.accessExclusive;
    if (!ae || HARMLESS.has(ctx.stmt.kind)) return;
    if (!ctx.once(`tx:${ae.statement}`)) return;
    ctx.report({
      message:
        `this statement runs while the transaction still holds ACCESS EXCLUSIVE ` +
        `on ${display(ae.table)} (taken by statement ${ae.statement + 1}): ` +
        `reads and writes on it stay blocked until COMMIT, ` +
        `for as long as this and every later statement take`,
    });
  },
});

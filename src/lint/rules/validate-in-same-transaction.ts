import { alterTable } from '../inspect.js';
import { LOCK_NAMES, LockMode, type LockModeValue } from '../locks.js';
import { display, keyOf } from '../names.js';
import { defineRule } from '../rule.js';

/** VALIDATE CONSTRAINT in the transaction that already holds a strong lock on the table defeats NOT VALID. */
export const validateInSameTransaction = defineRule({
  id: 'validate-in-same-transaction',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary:
    'VALIDATE CONSTRAINT in the same transaction as a strong lock on the table keeps that lock for the whole scan',
  help:
    'COMMIT between ADD ... NOT VALID and VALIDATE CONSTRAINT; ' +
    'ideally validate in a later migration (zdm validates at the switch phase: addCheck, ' +
    'addForeignKey)',
  check(ctx) {
    const tx = ctx.session.tx;
    const alter = alterTable(ctx);
    if (!tx || !alter?.table || ctx.isNewOrEmpty(alter.table)) return;
    if (!alter.cmds.some((c) => c.subtype === 'AT_ValidateConstraint')) return;
    const held = tx.locks.get(keyOf(alter.table)) as LockModeValue | undefined;
    if (!held || held < LockMode.ShareRowExclusive) return;
    ctx.report({
      message:
        `VALIDATE CONSTRAINT runs in a transaction that already holds ${LOCK_NAMES[held]} ` +
        `on ${display(alter.table)}: that lock is held for the whole validation scan, ` +
        `blocking ${held >= LockMode.AccessExclusive ? 'reads and writes' : 'writes'}, ` +
        `which defeats NOT VALID`,
    });
  },
});

import { alterTable, columnConstraint, columnDef, constraintDef } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/**
 * ADD CHECK without NOT VALID scans the whole table under ACCESS EXCLUSIVE (verified, also for ADD
 * COLUMN ... CHECK).
 */
export const addCheckConstraintValidating = defineRule({
  id: 'add-check-constraint-validating',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD CHECK without NOT VALID scans the table under ACCESS EXCLUSIVE',
  help:
    'ADD CONSTRAINT ... CHECK (...) NOT VALID (brief lock), ' +
    'then VALIDATE CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE) (zdm ' +
    'operation: addCheck)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype === 'AT_AddConstraint') {
        const c = constraintDef(cmd);
        if (c?.contype !== 'CONSTR_CHECK' || c.skip_validation) continue;
        ctx.report({
          message:
            `ADD CONSTRAINT${c.conname ? ` ${c.conname}` : ''} ` +
            `CHECK ${lockPhrase(LockMode.AccessExclusive, alter.table, 'scan')} to validate every row`,
          at: c.location,
        });
      } else if (cmd.subtype === 'AT_AddColumn') {
        const col = columnDef(cmd);
        const c = columnConstraint(col, 'CONSTR_CHECK');
        if (!c) continue;
        ctx.report({
          message:
            `ADD COLUMN ${col?.colname ?? ''} ... ` +
            `CHECK ${lockPhrase(LockMode.AccessExclusive, alter.table, 'scan')} to validate every row ` +
            `(a column CHECK cannot be NOT VALID)`,
          help:
            'add the column without the CHECK, then ADD CONSTRAINT ... CHECK (...) NOT VALID ' +
            'and VALIDATE CONSTRAINT in a separate transaction (zdm operations: ' +
            'addColumn with check, addCheck)',
          at: c.location,
        });
      }
    }
  },
});

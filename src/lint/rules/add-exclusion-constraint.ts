import { alterTable, constraintDef } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** EXCLUDE constraints cannot be NOT VALID nor USING INDEX: always an index build under ACCESS EXCLUSIVE. */
export const addExclusionConstraint = defineRule({
  id: 'add-exclusion-constraint',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD EXCLUDE builds its index and checks every row under ACCESS EXCLUSIVE',
  help:
    'there is no online path: build a new table with the constraint, dual-write and swap, ' +
    'or accept a maintenance window',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    for (const cmd of alter.cmds) {
      const c = constraintDef(cmd);
      if (cmd.subtype !== 'AT_AddConstraint' || c?.contype !== 'CONSTR_EXCLUSION') continue;
      ctx.report({
        message:
          `ADD EXCLUDE ${lockPhrase(LockMode.AccessExclusive, alter.table, 'build')} (an ` +
          `exclusion constraint cannot be NOT VALID or USING INDEX)`,
        at: c.location,
      });
    }
  },
});

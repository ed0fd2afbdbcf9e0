import { alterTable, constraintsBuildingIndex } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** ADD UNIQUE builds its index under ACCESS EXCLUSIVE. */
export const addUniqueConstraint = defineRule({
  id: 'add-unique-constraint',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD UNIQUE builds a unique index under ACCESS EXCLUSIVE',
  help:
    'CREATE UNIQUE INDEX CONCURRENTLY n ..., then ADD CONSTRAINT n UNIQUE ' +
    'USING INDEX n (brief lock) (zdm operation: addUnique)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    for (const { cmd, constraint: c } of constraintsBuildingIndex(alter.cmds, 'CONSTR_UNIQUE')) {
      ctx.report({
        message:
          `ADD ${cmd.subtype === 'AT_AddColumn' ? 'COLUMN ... ' : ''}UNIQUE ${lockPhrase(LockMode.AccessExclusive, alter.table, 'build')}; ` +
          `it also fails if duplicates exist`,
        at: c.location,
      });
    }
  },
});

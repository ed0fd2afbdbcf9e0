import { alterTable, constraintsBuildingIndex } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** ADD PRIMARY KEY builds its index under ACCESS EXCLUSIVE and silently sets NOT NULL (another scan). */
export const addPrimaryKey = defineRule({
  id: 'add-primary-key',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD PRIMARY KEY builds an index under ACCESS EXCLUSIVE (and may scan for NOT NULL)',
  help:
    'make the key columns NOT NULL the safe way, CREATE UNIQUE INDEX CONCURRENTLY, ' +
    'then ADD CONSTRAINT ... PRIMARY KEY USING INDEX (zdm operation: addPrimaryKey)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    for (const { constraint: c } of constraintsBuildingIndex(alter.cmds, 'CONSTR_PRIMARY')) {
      ctx.report({
        message:
          `ADD PRIMARY KEY ${lockPhrase(LockMode.AccessExclusive, alter.table, 'build')}, ` +
          `and sets NOT NULL on nullable key columns with another scan`,
        at: c.location,
      });
    }
  },
});

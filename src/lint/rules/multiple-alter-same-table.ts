import { alterTable } from '../inspect.js';
import { display, keyOf } from '../names.js';
import { defineRule } from '../rule.js';

export const multipleAlterSameTable = defineRule({
  id: 'multiple-alter-same-table',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterTableStmt'],
  summary: 'several ALTER TABLE statements on the same table in one transaction',
  help:
    'combine the actions into one ALTER TABLE ... , ... statement (one lock acquisition, ' +
    'at most one scan or rewrite)',
  check(ctx) {
    const tx = ctx.session.tx;
    const alter = alterTable(ctx);
    if (!tx || !alter?.table || ctx.isNew(alter.table)) return;
    if (!tx.alters.get(keyOf(alter.table))) return;
    ctx.report({
      message:
        `another ALTER TABLE on ${display(alter.table)} in the same transaction: ` +
        `each one acquires the lock again and may scan or rewrite the table again`,
    });
  },
});

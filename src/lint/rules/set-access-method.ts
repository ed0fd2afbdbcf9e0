import { alterTable } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** SET ACCESS METHOD (PG 15+) rewrites the table when the access method changes. */
export const setAccessMethod = defineRule({
  id: 'set-access-method',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'SET ACCESS METHOD rewrites the table under ACCESS EXCLUSIVE',
  help: 'create a new table with the access method, copy in batches, and swap',
  check(ctx) {
    const alter = alterTable(ctx, ['OBJECT_TABLE', 'OBJECT_MATVIEW']);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    if (!alter.cmds.some((c) => c.subtype === 'AT_SetAccessMethod')) return;
    ctx.report({ message: `SET ACCESS METHOD ${lockPhrase(LockMode.AccessExclusive, alter.table, 'rewrite')}` });
  },
});

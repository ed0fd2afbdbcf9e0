import { alterTable } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** SET LOGGED / UNLOGGED rewrites the table (verified for UNLOGGED); SET LOGGED also WAL-logs all of it. */
export const setLoggedUnlogged = defineRule({
  id: 'set-logged-unlogged',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'SET LOGGED / SET UNLOGGED rewrites the table under ACCESS EXCLUSIVE',
  help: 'create a new table with the wanted persistence, copy in batches, and swap',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_SetLogged' && cmd.subtype !== 'AT_SetUnLogged') continue;
      const logged = cmd.subtype === 'AT_SetLogged';
      ctx.report({
        message: `SET ${logged ? 'LOGGED' : 'UNLOGGED'} ${lockPhrase(LockMode.AccessExclusive, alter.table, 'rewrite')}${logged ? ', and writes the whole table to WAL (replica lag)' : ''}`,
      });
    }
  },
});

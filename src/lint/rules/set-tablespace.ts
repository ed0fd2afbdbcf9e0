import { alterTable } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** SET TABLESPACE copies every data file under ACCESS EXCLUSIVE. */
export const setTablespace = defineRule({
  id: 'set-tablespace',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt', 'AlterTableMoveAllStmt'],
  summary: 'SET TABLESPACE copies the relation under ACCESS EXCLUSIVE',
  help: 'move tables online with pg_repack --tablespace, or a logical copy and swap',
  check(ctx) {
    if (ctx.stmt.kind === 'AlterTableMoveAllStmt') {
      ctx.report({
        message:
          'ALTER ... ALL IN TABLESPACE ... SET TABLESPACE copies every relation in the tablespace, ' +
          'each under ACCESS EXCLUSIVE: blocks reads and writes for each copy',
      });
      return;
    }
    const alter = alterTable(ctx, ['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_MATVIEW']);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    if (!alter.cmds.some((c) => c.subtype === 'AT_SetTableSpace')) return;
    const kind =
      alter.stmt.objtype === 'OBJECT_INDEX'
        ? 'index'
        : alter.stmt.objtype === 'OBJECT_MATVIEW'
          ? 'materialized view'
          : 'table';
    ctx.report({
      message:
        `SET TABLESPACE ${lockPhrase(LockMode.AccessExclusive, alter.table, 'rewrite')}: ` +
        `it copies every data file of the ${kind}`,
    });
  },
});

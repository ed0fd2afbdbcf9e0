import { alterTable } from '../inspect.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

export const dropColumn = defineRule({
  id: 'drop-column',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'DROP COLUMN breaks running code that still uses the column, and loses its data',
  help:
    'contract phase only: stop reading and writing the column, deploy, ' +
    'then drop it in a later migration (zdm operation: dropColumn, which drops at contract)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNew(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_DropColumn') continue;
      ctx.report({
        message:
          `DROP COLUMN ${cmd.name ?? ''} ` +
          `on ${alter.table ? display(alter.table) : 'the table'} takes ACCESS EXCLUSIVE (brief), ` +
          `loses the column's data, and breaks running code that selects or ` +
          `inserts ${cmd.name ?? 'it'} (ORMs that cache column lists fail until restarted)`,
      });
    }
  },
});

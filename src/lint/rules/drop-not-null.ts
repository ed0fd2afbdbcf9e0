import { alterTable } from '../inspect.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

export const dropNotNull = defineRule({
  id: 'drop-not-null',
  severity: 'warning',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'DROP NOT NULL lets NULLs reach readers that assume the column is never NULL',
  help:
    'drop NOT NULL only in the expand phase of a column removal, ' +
    'once every reader tolerates NULL (zdm operation: dropNotNull)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNew(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_DropNotNull') continue;
      ctx.report({
        message:
          `DROP NOT NULL on ${cmd.name ?? ''} ` +
          `of ${alter.table ? display(alter.table) : 'the table'} lets NULLs reach application code, ` +
          `functions and downstream consumers that assume it is never NULL`,
      });
    }
  },
});

import { alterTable } from '../inspect.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

/** Dropping a constraint removes an integrity guard; dropping an FK locks both tables ACCESS EXCLUSIVE (verified). */
export const dropConstraint = defineRule({
  id: 'drop-constraint',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterTableStmt'],
  summary: 'DROP CONSTRAINT removes an integrity guard (and an FK drop locks both tables)',
  help: 'keep the constraint until the contract phase, and run the drop with a short lock_timeout',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNew(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_DropConstraint') continue;
      ctx.report({
        message:
          `DROP CONSTRAINT ${cmd.name ?? ''} ` +
          `on ${alter.table ? display(alter.table) : 'the table'} removes an integrity guard that ` +
          `running code may rely on; for a FOREIGN KEY it takes ACCESS EXCLUSIVE on both the table ` +
          `and the referenced table`,
      });
    }
  },
});

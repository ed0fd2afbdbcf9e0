import { alterTable, columnConstraint, columnDef, constraintDef } from '../inspect.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

/** ADD FOREIGN KEY without NOT VALID: SHARE ROW EXCLUSIVE on both tables during the validation scan. */
export const addForeignKeyValidating = defineRule({
  id: 'add-foreign-key-validating',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD FOREIGN KEY without NOT VALID blocks writes to both tables while it scans',
  help:
    'ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a separate ' +
    'transaction (SHARE UPDATE EXCLUSIVE + ROW SHARE on the referenced table) (zdm operation: ' +
    'addForeignKey)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNewOrEmpty(alter.table)) return;
    const here = alter.table ? display(alter.table) : 'the table';
    for (const cmd of alter.cmds) {
      if (cmd.subtype === 'AT_AddConstraint') {
        const c = constraintDef(cmd);
        if (c?.contype !== 'CONSTR_FOREIGN' || c.skip_validation) continue;
        const ref = ctx.resolveRange(c.pktable);
        ctx.report({
          message:
            `ADD FOREIGN KEY${c.conname ? ` ${c.conname}` : ''} takes SHARE ROW EXCLUSIVE ` +
            `on ${here} and ${ref ? display(ref) : 'the referenced table'} and scans ${here} to ` +
            `validate it: blocks writes to both tables for the whole scan`,
          at: c.location,
        });
      } else if (cmd.subtype === 'AT_AddColumn') {
        const col = columnDef(cmd);
        const c = columnConstraint(col, 'CONSTR_FOREIGN');
        if (!c) continue;
        // A new column with no default is all NULL, so validation is quick, but the column add still
        // takes ACCESS EXCLUSIVE plus SHARE ROW EXCLUSIVE on the referenced table (verified).
        const ref = ctx.resolveRange(c.pktable);
        ctx.report({
          message:
            `ADD COLUMN ${col?.colname ?? ''} ... REFERENCES takes ACCESS EXCLUSIVE ` +
            `on ${here} and SHARE ROW EXCLUSIVE on ${ref ? display(ref) : 'the referenced table'}, ` +
            `and validates the key by scanning ${here}: blocks reads and writes on ${here}, ` +
            `writes on the referenced table`,
          help:
            'add the column without REFERENCES, then ADD CONSTRAINT ... FOREIGN KEY ... NOT ' +
            'VALID and VALIDATE CONSTRAINT in a separate transaction (zdm operations: ' +
            'addColumn with references, addForeignKey)',
          at: c.location,
        });
      }
    }
  },
});

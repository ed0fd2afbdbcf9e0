import { alterTable, constraintDef } from '../inspect.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

/**
 * PRIMARY KEY USING INDEX on a nullable column silently runs SET NOT NULL: a scan under ACCESS
 * EXCLUSIVE (verified).
 */
export const addPrimaryKeyUsingIndexNullable = defineRule({
  id: 'add-primary-key-using-index-nullable',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterTableStmt'],
  summary: 'PRIMARY KEY USING INDEX on a column not known to be NOT NULL scans the table under ACCESS EXCLUSIVE',
  help:
    'first make the key columns NOT NULL with CHECK (c IS NOT NULL) NOT VALID, VALIDATE, ' +
    'SET NOT NULL (zdm operation: setNotNull, then addPrimaryKey)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter?.table || ctx.isNewOrEmpty(alter.table)) return;
    for (const cmd of alter.cmds) {
      const c = constraintDef(cmd);
      if (cmd.subtype !== 'AT_AddConstraint' || c?.contype !== 'CONSTR_PRIMARY' || !c.indexname) continue;
      const table = ctx.table(alter.table);
      const index = table?.indexes.find((i) => i.name === c.indexname);
      const on = alter.table;
      const nullable = index
        ? index.columns.filter(
            (col) => col !== null && !table?.columns.get(col)?.notNull && !ctx.session.schema.notNullProven(on, col),
          )
        : undefined;
      if (nullable && nullable.length === 0) continue;
      const which = nullable
        ? `column${nullable.length > 1 ? 's' : ''} ${nullable.join(', ')} ` +
          `of ${display(alter.table)} ${nullable.length > 1 ? 'are' : 'is'} nullable`
        : `the key columns of index ${c.indexname} are not known to be NOT NULL`;
      ctx.report({
        message:
          `ADD PRIMARY KEY USING INDEX ${c.indexname}: ${which}, ` +
          `so Postgres silently runs SET NOT NULL, scanning the table under ACCESS EXCLUSIVE (blocks ` +
          `reads and writes)`,
        at: c.location,
      });
    }
  },
});

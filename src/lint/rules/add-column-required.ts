import type { A_Const } from 'libpg-query';
import { as, typeInfo } from '../ast.js';
import { alterTable, columnConstraint, columnDef, SERIAL_TYPES } from '../inspect.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

/** ADD COLUMN ... NOT NULL without a default fails on a non-empty table, and breaks old inserts. */
export const addColumnRequired = defineRule({
  id: 'add-column-required',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD COLUMN ... NOT NULL without a default fails on existing rows and breaks inserts from the running app',
  help:
    'add the column nullable (or with a constant default on PG 11+), backfill, ' +
    'then make it NOT NULL with the CHECK ... NOT VALID recipe (zdm operation: ' +
    'addColumn with nullable: false)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNew(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_AddColumn') continue;
      const col = columnDef(cmd);
      const notNull = columnConstraint(col, 'CONSTR_NOTNULL') ?? columnConstraint(col, 'CONSTR_PRIMARY');
      if (!col || !notNull) continue;
      const def = columnConstraint(col, 'CONSTR_DEFAULT');
      const hasDefault = def?.raw_expr !== undefined && !as<A_Const>(def.raw_expr, 'A_Const')?.isnull;
      if (
        hasDefault ||
        columnConstraint(col, 'CONSTR_IDENTITY') ||
        columnConstraint(col, 'CONSTR_GENERATED') ||
        SERIAL_TYPES.has(typeInfo(col.typeName)?.name ?? '')
      )
        continue;
      const empty = ctx.isNewOrEmpty(alter.table);
      ctx.report({
        message:
          `ADD COLUMN ${col.colname ?? ''} ... NOT NULL without a ` +
          `default ${empty ? '' : `fails with "contains null values" if ${alter.table ? display(alter.table) : 'the table'} has any row, and `}makes ` +
          `every INSERT from the running application version (which omits the column) fail`,
        at: notNull.location,
      });
    }
  },
});

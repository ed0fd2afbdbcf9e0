import { typeInfo } from '../ast.js';
import { addedColumns, columnConstraint, SERIAL_TYPES } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** serial / identity columns give every existing row a sequence value: a full rewrite (verified). */
export const addColumnAutoIncrement = defineRule({
  id: 'add-column-auto-increment',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD COLUMN serial / GENERATED AS IDENTITY rewrites the table',
  help:
    'add a nullable bigint column, attach a sequence as its DEFAULT for new rows, ' +
    'backfill existing rows in batches; or build a new table and swap (zdm operation: addColumn)',
  check(ctx) {
    for (const { col, table } of addedColumns(ctx)) {
      const type = typeInfo(col.typeName)?.name ?? '';
      const identity = columnConstraint(col, 'CONSTR_IDENTITY');
      if (!SERIAL_TYPES.has(type) && !identity) continue;
      ctx.report({
        message:
          `ADD COLUMN ${col.colname ?? ''} ${identity ? 'GENERATED AS IDENTITY' : type} ${lockPhrase(LockMode.AccessExclusive, table, 'rewrite')}: ` +
          `every existing row gets a sequence value`,
        at: col.location,
      });
    }
  },
});

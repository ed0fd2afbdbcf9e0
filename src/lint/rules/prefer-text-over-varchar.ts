import { typeInfo } from '../ast.js';
import { columnTypes } from '../inspect.js';
import { defineRule } from '../rule.js';

export const preferTextOverVarchar = defineRule({
  id: 'prefer-text-over-varchar',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterTableStmt', 'CreateStmt'],
  summary: 'varchar(n) limits can only be raised with DDL on a hot table',
  help: 'use text with CHECK (char_length(c) <= n), which can be changed with NOT VALID + VALIDATE',
  check(ctx) {
    for (const { column, type, location } of columnTypes(ctx)) {
      const t = typeInfo(type);
      if (t?.name !== 'varchar' || !t.mods.length) continue;
      ctx.report({
        message:
          `column ${column} is varchar(${t.mods[0]}): changing the limit later is DDL on the ` +
          `table (a rewrite when it shrinks)`,
        at: location,
      });
    }
  },
});

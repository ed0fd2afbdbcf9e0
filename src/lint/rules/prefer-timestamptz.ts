import { typeInfo } from '../ast.js';
import { columnTypes } from '../inspect.js';
import { defineRule } from '../rule.js';

export const preferTimestamptz = defineRule({
  id: 'prefer-timestamptz',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterTableStmt', 'CreateStmt'],
  summary: 'timestamp without time zone drops the offset',
  help: 'use timestamptz',
  check(ctx) {
    for (const { column, type, location } of columnTypes(ctx)) {
      const t = typeInfo(type);
      if (t?.name !== 'timestamp' || t.schema) continue;
      ctx.report({
        message:
          `column ${column} is timestamp without time zone: the offset is dropped, ` +
          `and converting to timestamptz later rewrites the table unless the session TimeZone is UTC`,
        at: location,
      });
    }
  },
});

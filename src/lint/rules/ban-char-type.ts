import { typeInfo } from '../ast.js';
import { columnTypes } from '../inspect.js';
import { defineRule } from '../rule.js';

export const banCharType = defineRule({
  id: 'ban-char-type',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterTableStmt', 'CreateStmt'],
  summary: 'char(n) is blank-padded and has no benefit in Postgres',
  help: 'use text (or varchar)',
  check(ctx) {
    for (const { column, type, location } of columnTypes(ctx)) {
      const t = typeInfo(type);
      if (t?.name !== 'bpchar' || t.schema) continue;
      ctx.report({
        message:
          `column ${column} is char(${t.mods[0] ?? 1}): values are blank-padded, ` +
          `comparisons ignore trailing spaces, and it is no faster than text`,
        at: location,
      });
    }
  },
});

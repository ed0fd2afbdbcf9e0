import { typeInfo } from '../ast.js';
import { columnTypes } from '../inspect.js';
import { defineRule } from '../rule.js';

export const jsonColumn = defineRule({
  id: 'json-column',
  severity: 'warning',
  defaultOn: true,
  kinds: ['AlterTableStmt', 'CreateStmt'],
  summary: 'a json column has no equality operator (DISTINCT, UNION, GROUP BY fail) and is slower than jsonb',
  help: 'use jsonb (binary, with equality, indexable with GIN)',
  check(ctx) {
    // Pre-filter only (the AST decides): a statement that never spells "json" has no json column.
    if (!ctx.stmt.text.toLowerCase().includes('json')) return;
    for (const { column, type, location } of columnTypes(ctx)) {
      const t = typeInfo(type);
      if (t?.name !== 'json' || t.schema) continue;
      ctx.report({
        message:
          `column ${column} is json: it has no equality operator, so SELECT DISTINCT, ` +
          `UNION and GROUP BY on it fail, and it is reparsed on every access`,
        at: location,
      });
    }
  },
});

import { typeInfo } from '../ast.js';
import { columnTypes } from '../inspect.js';
import { defineRule } from '../rule.js';

const SMALL: Record<string, string> = {
  int4: 'integer',
  int2: 'smallint',
  serial: 'serial',
  serial4: 'serial',
  smallserial: 'smallserial',
  serial2: 'smallserial',
};

export const preferBigint = defineRule({
  id: 'prefer-bigint',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterTableStmt', 'CreateStmt'],
  summary: 'integer/smallint columns overflow; widening them later is an expand/contract migration',
  help: 'use bigint (or bigserial / bigint GENERATED ... AS IDENTITY)',
  check(ctx) {
    for (const { column, type, location } of columnTypes(ctx)) {
      const t = typeInfo(type);
      const label = t && !t.schema ? SMALL[t.name] : undefined;
      if (!t || !label) continue;
      ctx.report({
        message:
          `column ${column} is ${label}${t.array ? '[]: each element' : ': it'} overflows ` +
          `at ${label.startsWith('small') ? '32,767' : '2,147,483,647'}, ` +
          `and changing it to bigint later rewrites the table (or needs an expand/contract migration)`,
        at: location,
      });
    }
  },
});

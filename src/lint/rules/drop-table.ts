import type { DropStmt, Node } from 'libpg-query';
import { as, strings } from '../ast.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

export const dropTable = defineRule({
  id: 'drop-table',
  severity: 'error',
  defaultOn: true,
  kinds: ['DropStmt'],
  summary: 'DROP TABLE loses data and breaks clients that still use the table',
  help:
    'contract phase only, after no code uses the table; keep a backup (zdm operation: ' +
    'dropTable, which drops at contract)',
  check(ctx) {
    if (ctx.stmt.kind !== 'DropStmt') return;
    const s = ctx.stmt.body as DropStmt;
    if (s.removeType !== 'OBJECT_TABLE') return;
    for (const o of s.objects ?? []) {
      const parts = strings(as<{ items?: Node[] }>(o, 'List')?.items);
      const table = ctx.resolve({
        schema: parts.length > 1 ? parts[parts.length - 2] : undefined,
        name: parts[parts.length - 1] ?? '',
      });
      if (!table || ctx.isNew(table)) continue;
      ctx.report({
        message:
          `DROP TABLE ${display(table)} loses its data, breaks clients that still use it, ` +
          `and takes ACCESS EXCLUSIVE on every table it references by foreign key`,
      });
    }
  },
});

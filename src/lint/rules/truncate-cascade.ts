import type { TruncateStmt } from 'libpg-query';
import { defineRule } from '../rule.js';

export const truncateCascade = defineRule({
  id: 'truncate-cascade',
  severity: 'error',
  defaultOn: true,
  kinds: ['TruncateStmt'],
  summary: 'TRUNCATE ... CASCADE also empties every table that references it, transitively',
  help: 'list every table to truncate explicitly',
  check(ctx) {
    if (ctx.stmt.kind !== 'TruncateStmt') return;
    if ((ctx.stmt.body as TruncateStmt).behavior !== 'DROP_CASCADE') return;
    ctx.report({
      message:
        'TRUNCATE ... CASCADE also empties every table that references these by foreign key, ' +
        'and the tables referencing those, without listing them',
    });
  },
});

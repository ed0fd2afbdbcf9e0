import type { IndexStmt } from 'libpg-query';
import { defineRule } from '../rule.js';

export const indexTooManyColumns = defineRule({
  id: 'index-too-many-columns',
  severity: 'warning',
  defaultOn: false,
  kinds: ['IndexStmt'],
  summary: 'a non-unique index with more than 3 key columns rarely helps and costs on every write',
  help: 'index fewer columns, most selective first (INCLUDE covers extra columns without widening the key)',
  check(ctx) {
    if (ctx.stmt.kind !== 'IndexStmt') return;
    const s = ctx.stmt.body as IndexStmt;
    const n = s.indexParams?.length ?? 0;
    if (s.unique || n <= 3) return;
    ctx.report({
      message:
        `index${s.idxname ? ` ${s.idxname}` : ''} has ${n} key columns: ` +
        `the planner rarely uses the trailing ones, and every write maintains them`,
    });
  },
});

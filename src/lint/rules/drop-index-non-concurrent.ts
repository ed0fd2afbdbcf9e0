import type { DropStmt, Node } from 'libpg-query';
import { as, strings } from '../ast.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { keyOf } from '../names.js';
import { defineRule } from '../rule.js';

/** DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table (verified on PG 15). */
export const dropIndexNonConcurrent = defineRule({
  id: 'drop-index-non-concurrent',
  severity: 'error',
  defaultOn: true,
  kinds: ['DropStmt'],
  summary: 'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table',
  help:
    'use DROP INDEX CONCURRENTLY IF EXISTS (one index per statement, no CASCADE, ' +
    'outside a transaction) (zdm operation: dropIndex)',
  check(ctx) {
    if (ctx.stmt.kind !== 'DropStmt') return;
    const s = ctx.stmt.body as DropStmt;
    if (s.removeType !== 'OBJECT_INDEX' || s.concurrent) return;
    for (const o of s.objects ?? []) {
      const parts = strings(as<{ items?: Node[] }>(o, 'List')?.items);
      const index = ctx.resolve({
        schema: parts.length > 1 ? parts[parts.length - 2] : undefined,
        name: parts[parts.length - 1] ?? '',
      });
      if (!index) continue;
      const createdIn = ctx.session.newIndexes.get(keyOf(index));
      if (createdIn !== undefined) continue;
      const table = ctx.catalog?.indexTable(index);
      if (table && ctx.isNewOrEmpty(table)) continue;
      ctx.report({
        message: `DROP INDEX ${parts.join('.')} ${lockPhrase(LockMode.AccessExclusive, table ?? "the index's table", 'brief')}`,
      });
    }
  },
});

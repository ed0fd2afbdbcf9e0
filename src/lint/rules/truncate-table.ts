import type { Node, RangeVar, TruncateStmt } from 'libpg-query';
import { as } from '../ast.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

export const truncateTable = defineRule({
  id: 'truncate-table',
  severity: 'error',
  defaultOn: true,
  kinds: ['TruncateStmt'],
  summary: 'TRUNCATE in a migration deletes all rows under ACCESS EXCLUSIVE',
  help: 'delete data in a separate, batched data job (or never in a schema migration)',
  check(ctx) {
    if (ctx.stmt.kind !== 'TruncateStmt') return;
    const s = ctx.stmt.body as TruncateStmt;
    const tables = (s.relations ?? []).map((r) => ctx.resolveRange(as<RangeVar>(r as Node, 'RangeVar')));
    const existing = tables.filter((t) => !ctx.isNew(t));
    if (!existing.length) return;
    ctx.report({
      message:
        `TRUNCATE deletes every row ` +
        `and ${lockPhrase(LockMode.AccessExclusive, existing.length === 1 ? existing[0] : undefined, 'brief')}`,
    });
  },
});

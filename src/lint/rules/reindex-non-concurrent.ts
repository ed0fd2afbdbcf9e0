import type { ReindexStmt } from 'libpg-query';
import { defElemNames } from '../inspect.js';
import { atLeast } from '../names.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

/** REINDEX without CONCURRENTLY: SHARE on the table plus ACCESS EXCLUSIVE on each index rebuilt. */
export const reindexNonConcurrent = defineRule({
  id: 'reindex-non-concurrent',
  severity: 'error',
  defaultOn: true,
  kinds: ['ReindexStmt'],
  summary: 'REINDEX without CONCURRENTLY blocks writes, and reads that use the index',
  help: 'use REINDEX ... CONCURRENTLY (PG 12+), outside a transaction',
  check(ctx) {
    if (ctx.stmt.kind !== 'ReindexStmt') return;
    const s = ctx.stmt.body as ReindexStmt;
    if (defElemNames(s.params).includes('concurrently')) return;
    const rel = ctx.resolveRange(s.relation);
    if (s.kind === 'REINDEX_OBJECT_TABLE' && ctx.isNewOrEmpty(rel)) return;
    const target = rel ? display(rel) : (s.name ?? 'the database');
    ctx.report({
      message: `REINDEX ${target} takes SHARE on the table (blocks writes) and ACCESS EXCLUSIVE on each index it rebuilds (blocks reads that use it) for the whole rebuild`,
      help: atLeast(ctx.version, 12)
        ? undefined
        : `REINDEX CONCURRENTLY needs PG 12; on PG ${ctx.version.major}, CREATE INDEX CONCURRENTLY a replacement, then drop the old index CONCURRENTLY and rename`,
    });
  },
});

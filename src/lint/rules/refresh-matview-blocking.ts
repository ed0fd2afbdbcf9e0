import type { RefreshMatViewStmt } from 'libpg-query';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** REFRESH MATERIALIZED VIEW without CONCURRENTLY rewrites it under ACCESS EXCLUSIVE: readers block. */
export const refreshMatviewBlocking = defineRule({
  id: 'refresh-matview-blocking',
  severity: 'error',
  defaultOn: true,
  kinds: ['RefreshMatViewStmt'],
  summary: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks readers for the whole refresh',
  help:
    'use REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view and a ' +
    'populated view; takes EXCLUSIVE, so readers continue)',
  check(ctx) {
    if (ctx.stmt.kind !== 'RefreshMatViewStmt') return;
    const s = ctx.stmt.body as RefreshMatViewStmt;
    if (s.concurrent) return;
    const view = ctx.resolveRange(s.relation);
    if (ctx.isNewOrEmpty(view)) return;
    ctx.report({ message: `REFRESH MATERIALIZED VIEW ${lockPhrase(LockMode.AccessExclusive, view, 'rewrite')}` });
  },
});

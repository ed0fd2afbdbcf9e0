import type { ReindexStmt } from 'libpg-query';
import { optionOn } from '../../sql/options.js';
import { atLeast, display } from '../names.js';
import { defineRule, type RuleContext } from '../rule.js';

const LOCKS =
  'takes SHARE on the table (blocks writes) and ACCESS EXCLUSIVE on each index it rebuilds (blocks ' +
  'reads that use it) for the whole rebuild';

/** What the REINDEX rebuilds, as a subject for the message. */
function subject(ctx: RuleContext, s: ReindexStmt): string | undefined {
  const rel = ctx.resolveRange(s.relation);
  switch (s.kind) {
    case 'REINDEX_OBJECT_INDEX':
      return `REINDEX INDEX ${rel ? display(rel) : ''} ${LOCKS}`;
    case 'REINDEX_OBJECT_TABLE':
      return `REINDEX TABLE ${rel ? display(rel) : ''} ${LOCKS}`;
    case 'REINDEX_OBJECT_SCHEMA':
      return (
        `REINDEX SCHEMA ${s.name ?? ''} rebuilds every index of every table in the schema: ` +
        `each table in turn ${LOCKS}`
      );
    case 'REINDEX_OBJECT_DATABASE':
      return `REINDEX DATABASE ${s.name ?? ''} rebuilds every index in the database: each table in turn ${LOCKS}`;
    default:
      return undefined;
  }
}

/** REINDEX without CONCURRENTLY: SHARE on the table plus ACCESS EXCLUSIVE on each index rebuilt. */
export const reindexNonConcurrent = defineRule({
  id: 'reindex-non-concurrent',
  severity: 'error',
  defaultOn: true,
  kinds: ['ReindexStmt'],
  summary: 'REINDEX without CONCURRENTLY blocks writes, and reads that use the index',
  help: 'use REINDEX ... CONCURRENTLY (PG 12+), outside a transaction',
  check(ctx) {
    const s = ctx.stmt.body as ReindexStmt;
    if (optionOn(s.params, 'concurrently')) return;
    if (s.kind === 'REINDEX_OBJECT_TABLE' && ctx.isNewOrEmpty(ctx.resolveRange(s.relation))) return;
    if (s.kind === 'REINDEX_OBJECT_SYSTEM') {
      ctx.report({
        message:
          `REINDEX SYSTEM rebuilds every system catalog index of ` +
          `database ${s.name ?? '(current)'}, each catalog under SHARE and each index under ACCESS ` +
          `EXCLUSIVE: DDL, and queries that read the catalogs (planning, connecting), wait for it`,
        help:
          'system catalogs cannot be reindexed CONCURRENTLY: run it in a maintenance window, ' +
          'or REINDEX (CONCURRENTLY) only the user indexes that need it',
      });
      return;
    }
    ctx.report({
      message: subject(ctx, s) ?? `REINDEX ${LOCKS}`,
      help: atLeast(ctx.version, 12)
        ? undefined
        : `REINDEX CONCURRENTLY needs PG 12; on PG ${ctx.version.major}, ` +
          `CREATE INDEX CONCURRENTLY a replacement, then drop the old index CONCURRENTLY and rename`,
    });
  },
});

import type { IndexStmt } from 'libpg-query';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** CREATE INDEX without CONCURRENTLY holds SHARE (writes blocked) for the whole build. */
export const createIndexNonConcurrent = defineRule({
  id: 'create-index-non-concurrent',
  severity: 'error',
  defaultOn: true,
  kinds: ['IndexStmt'],
  summary: 'CREATE INDEX without CONCURRENTLY on an existing table blocks writes for the whole build',
  help:
    'use CREATE INDEX CONCURRENTLY, outside any transaction, ' +
    'with IF NOT EXISTS or a check for an INVALID index left by a failed build (zdm operation: ' +
    'createIndex)',
  check(ctx) {
    if (ctx.stmt.kind !== 'IndexStmt') return;
    const s = ctx.stmt.body as IndexStmt;
    if (s.concurrent) return;
    const table = ctx.resolveRange(s.relation);
    if (ctx.isNewOrEmpty(table)) return;
    const what = `CREATE ${s.unique ? 'UNIQUE ' : ''}INDEX${s.idxname ? ` ${s.idxname}` : ''}`;
    const partitioned = ctx.table(table)?.kind === 'partitioned-table';
    ctx.report({
      message: `${what} ${lockPhrase(LockMode.Share, table, 'build')}`,
      help: partitioned
        ? 'CONCURRENTLY is not supported on a partitioned table: ' +
          "create the index ON ONLY the parent, build each partition's index CONCURRENTLY, " +
          'then ALTER INDEX ... ATTACH PARTITION each one'
        : undefined,
    });
  },
});

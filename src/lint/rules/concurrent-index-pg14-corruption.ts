import type { Node } from 'libpg-query';
import { optionOn } from '../../sql/options.js';
import { defineRule } from '../rule.js';

/** PG 14.0-14.3: CREATE INDEX CONCURRENTLY / REINDEX CONCURRENTLY can silently corrupt indexes. */
export const concurrentIndexPg14Corruption = defineRule({
  id: 'concurrent-index-pg14-corruption',
  severity: 'error',
  defaultOn: true,
  kinds: ['IndexStmt', 'ReindexStmt'],
  summary: 'concurrent index builds on PG 14.0-14.3 can silently corrupt the index',
  help: 'upgrade to PG 14.4 or later before building indexes concurrently (then REINDEX indexes built on 14.0-14.3)',
  check(ctx) {
    if (ctx.version.major !== 14 || ctx.version.minor >= 4) return;
    const { kind, body } = ctx.stmt;
    const concurrentReindex = kind === 'ReindexStmt' && optionOn(body.params as Node[], 'concurrently');
    if (!(kind === 'IndexStmt' && body.concurrent) && !concurrentReindex) return;
    ctx.report({
      message:
        `${kind === 'IndexStmt' ? 'CREATE INDEX' : 'REINDEX'} CONCURRENTLY on PG ` +
        `14.${ctx.version.minor} hits a known bug (fixed in 14.4) that can silently corrupt the index`,
    });
  },
});

import type { RangeVar } from 'libpg-query';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

export const backfillInMigration = defineRule({
  id: 'backfill-in-migration',
  severity: 'warning',
  defaultOn: false,
  kinds: ['UpdateStmt', 'DeleteStmt'],
  summary: 'UPDATE or DELETE of an existing table inside a schema migration',
  help:
    'backfill in throttled batches outside the DDL transaction (zdm backfills with keyset ' +
    'batches: addColumn up, setNotNull up, transformColumn)',
  check(ctx) {
    if (ctx.stmt.kind !== 'UpdateStmt' && ctx.stmt.kind !== 'DeleteStmt') return;
    const table = ctx.resolveRange(ctx.stmt.body.relation as RangeVar);
    if (ctx.isNew(table)) return;
    const verb = ctx.stmt.kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
    ctx.report({
      message:
        `${verb} of ${table ? display(table) : 'a table'} in one statement: long row locks, ` +
        `bloat and replica lag${ctx.session.tx ? ", and inside the migration's transaction any DDL lock taken before it stays held" : ''}`,
    });
  },
});

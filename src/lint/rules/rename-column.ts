import type { RenameStmt } from 'libpg-query';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

/** Renaming a column breaks every running app version that still uses the old name. */
export const renameColumn = defineRule({
  id: 'rename-column',
  severity: 'error',
  defaultOn: true,
  kinds: ['RenameStmt'],
  summary: 'RENAME COLUMN breaks the running application, which still uses the old name',
  help:
    'expand/contract: add the new column, keep both in sync with a trigger, backfill, ' +
    'move reads and writes, then drop the old one (zdm operation: renameColumn)',
  check(ctx) {
    if (ctx.stmt.kind !== 'RenameStmt') return;
    const s = ctx.stmt.body as RenameStmt;
    if (s.renameType !== 'OBJECT_COLUMN' || s.relationType !== 'OBJECT_TABLE') return;
    const table = ctx.resolveRange(s.relation);
    if (ctx.isNew(table)) return;
    ctx.report({
      message:
        `RENAME COLUMN ${s.subname ?? ''} TO ${s.newname ?? ''} ` +
        `on ${table ? display(table) : 'the table'} takes ACCESS EXCLUSIVE (brief) and breaks ` +
        `every running app version that reads or writes ${s.subname ?? 'the column'} until it ` +
        `is redeployed`,
    });
  },
});

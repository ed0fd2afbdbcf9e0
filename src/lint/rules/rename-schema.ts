import type { RenameStmt } from 'libpg-query';
import { defineRule } from '../rule.js';

export const renameSchema = defineRule({
  id: 'rename-schema',
  severity: 'error',
  defaultOn: true,
  kinds: ['RenameStmt'],
  summary: 'ALTER SCHEMA ... RENAME TO breaks every qualified reference to its objects',
  help: 'create the new schema, move or dual-write objects, update clients, then drop the old schema',
  check(ctx) {
    if (ctx.stmt.kind !== 'RenameStmt') return;
    const s = ctx.stmt.body as RenameStmt;
    if (s.renameType !== 'OBJECT_SCHEMA') return;
    ctx.report({
      message:
        `ALTER SCHEMA ${s.subname ?? ''} RENAME TO ${s.newname ?? ''} breaks every query, ` +
        `function and search_path that names ${s.subname ?? 'the schema'}`,
    });
  },
});

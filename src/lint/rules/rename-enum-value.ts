import type { AlterEnumStmt } from 'libpg-query';
import { display, keyOf } from '../names.js';
import { nameParts } from '../session.js';
import { defineRule } from '../rule.js';

export const renameEnumValue = defineRule({
  id: 'rename-enum-value',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterEnumStmt'],
  summary: 'ALTER TYPE ... RENAME VALUE breaks apps that read or write the old label',
  help:
    "ADD VALUE 'new' AFTER 'old', make the app accept both, backfill, " +
    "stop writing 'old' (zdm operation: addEnumValue)",
  check(ctx) {
    if (ctx.stmt.kind !== 'AlterEnumStmt') return;
    const s = ctx.stmt.body as AlterEnumStmt;
    if (!s.oldVal) return;
    const type = ctx.resolve(nameParts(s.typeName));
    if (type && ctx.session.newTypes.has(keyOf(type))) return;
    ctx.report({
      message:
        `RENAME VALUE '${s.oldVal}' TO '${s.newVal ?? ''}' ` +
        `on ${type ? display(type) : 'the enum'} breaks at once every app version that writes or ` +
        `compares '${s.oldVal}'`,
    });
  },
});

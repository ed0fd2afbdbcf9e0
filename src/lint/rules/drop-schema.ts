import type { DropStmt } from 'libpg-query';
import { str } from '../ast.js';
import { defineRule } from '../rule.js';

export const dropSchema = defineRule({
  id: 'drop-schema',
  severity: 'error',
  defaultOn: true,
  kinds: ['DropStmt'],
  summary: 'DROP SCHEMA drops every object in it',
  help: 'drop the objects one by one, by name, in the contract phase',
  check(ctx) {
    if (ctx.stmt.kind !== 'DropStmt') return;
    const s = ctx.stmt.body as DropStmt;
    if (s.removeType !== 'OBJECT_SCHEMA') return;
    const names = (s.objects ?? []).map((o) => str(o) ?? '').join(', ');
    ctx.report({
      message:
        `DROP SCHEMA ${names} drops ${s.behavior === 'DROP_CASCADE' ? 'every table, view, function and type in it' : 'the schema (and fails unless it is empty)'}, ` +
        `breaking every client that uses it`,
    });
  },
});

import type { DropStmt } from 'libpg-query';
import { alterTable } from '../inspect.js';
import { defineRule } from '../rule.js';

export const dropCascade = defineRule({
  id: 'drop-cascade',
  severity: 'error',
  defaultOn: true,
  kinds: ['DropStmt', 'AlterTableStmt'],
  summary: 'DROP ... CASCADE silently drops dependent views, foreign keys, columns and functions',
  help: 'drop the dependent objects explicitly, by name, then drop without CASCADE',
  check(ctx) {
    if (ctx.stmt.kind === 'DropStmt') {
      const s = ctx.stmt.body as DropStmt;
      if (s.behavior !== 'DROP_CASCADE') return;
      const type = (s.removeType ?? 'OBJECT').replace(/^OBJECT_/, '').replaceAll('_', ' ');
      ctx.report({
        message:
          `DROP ${type} ... CASCADE also drops, without listing them, every object that ` +
          `depends on it (views, foreign keys, columns of that type, materialized views)`,
      });
      return;
    }
    const alter = alterTable(ctx);
    for (const cmd of alter?.cmds ?? []) {
      if ((cmd.subtype === 'AT_DropColumn' || cmd.subtype === 'AT_DropConstraint') && cmd.behavior === 'DROP_CASCADE') {
        ctx.report({
          message:
            `DROP ${cmd.subtype === 'AT_DropColumn' ? 'COLUMN' : 'CONSTRAINT'} ${cmd.name ?? ''} ` +
            `CASCADE also drops every view, index and constraint that depends on it, without listing them`,
        });
      }
    }
  },
});

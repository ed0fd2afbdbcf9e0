import type { CreateEnumStmt } from 'libpg-query';
import { strings } from '../ast.js';
import { defineRule } from '../rule.js';

export const createEnum = defineRule({
  id: 'create-enum',
  severity: 'warning',
  defaultOn: false,
  kinds: ['CreateEnumStmt'],
  summary: 'enum values cannot be removed or reordered without replacing the type',
  help: 'use a lookup table with a foreign key (or text with a CHECK)',
  check(ctx) {
    if (ctx.stmt.kind !== 'CreateEnumStmt') return;
    ctx.report({
      message:
        `CREATE TYPE ${strings((ctx.stmt.body as CreateEnumStmt).typeName).join('.')} AS ` +
        `ENUM: values can be added but never removed or reordered without swapping the type on ` +
        `every column that uses it`,
    });
  },
});

import type { DropdbStmt } from 'libpg-query';
import { defineRule } from '../rule.js';

export const dropDatabase = defineRule({
  id: 'drop-database',
  severity: 'error',
  defaultOn: true,
  kinds: ['DropdbStmt'],
  summary: 'DROP DATABASE in a migration',
  help: 'never drop a database from a migration',
  check(ctx) {
    if (ctx.stmt.kind !== 'DropdbStmt') return;
    ctx.report({ message: `DROP DATABASE ${(ctx.stmt.body as DropdbStmt).dbname ?? ''} deletes the whole database` });
  },
});

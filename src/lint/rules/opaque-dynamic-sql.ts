import { defineRule } from '../rule.js';

const KINDS: Record<string, string> = { DoStmt: 'DO block', CallStmt: 'CALL', ExecuteStmt: 'EXECUTE' };

export const opaqueDynamicSql = defineRule({
  id: 'opaque-dynamic-sql',
  severity: 'warning',
  defaultOn: false,
  kinds: ['DoStmt', 'CallStmt', 'ExecuteStmt'],
  summary: 'DO blocks, CALL and EXECUTE hide their SQL from the linter',
  help:
    'write the statements as plain SQL, or suppress with a reason: -- zdm-ignore: ' +
    'opaque-dynamic-sql -- why it is safe',
  check(ctx) {
    const what = KINDS[ctx.stmt.kind];
    if (!what) return;
    ctx.report({
      message:
        `${what}: the statements it runs are not visible to the linter, ` +
        `so their locks and rewrites are not checked`,
    });
  },
});

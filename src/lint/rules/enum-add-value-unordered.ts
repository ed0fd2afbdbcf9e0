import type { AlterEnumStmt } from 'libpg-query';
import { strings } from '../ast.js';
import { defineRule } from '../rule.js';

export const enumAddValueUnordered = defineRule({
  id: 'enum-add-value-unordered',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterEnumStmt'],
  summary: 'ALTER TYPE ... ADD VALUE without BEFORE/AFTER appends the value at the end',
  help: "say where the value goes: ADD VALUE 'x' BEFORE 'y' / AFTER 'y'",
  check(ctx) {
    if (ctx.stmt.kind !== 'AlterEnumStmt') return;
    const s = ctx.stmt.body as AlterEnumStmt;
    if (s.oldVal || !s.newVal || s.newValNeighbor) return;
    ctx.report({
      message:
        `ADD VALUE '${s.newVal}' to ${strings(s.typeName).join('.')} without BEFORE/AFTER ` +
        `appends it last, which changes < and ORDER BY results if the order means something`,
    });
  },
});

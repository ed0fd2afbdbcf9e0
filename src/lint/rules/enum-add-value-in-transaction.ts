import type { AlterEnumStmt } from 'libpg-query';
import { walk } from '../ast.js';
import { atLeast, display, keyOf } from '../names.js';
import { nameParts } from '../session.js';
import { defineRule } from '../rule.js';

/**
 * PG < 12: ALTER TYPE ... ADD VALUE cannot run in a transaction block. PG 12+: it can, but using the
 * new label before COMMIT fails with "unsafe use of new value" (55P04, verified).
 */
export const enumAddValueInTransaction = defineRule({
  id: 'enum-add-value-in-transaction',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterEnumStmt'],
  summary: 'ALTER TYPE ... ADD VALUE in a transaction fails (PG < 12) or its value cannot be used before COMMIT',
  help:
    'add the enum value in its own migration (outside a transaction before PG 12) and use it in ' +
    'the next one (zdm operation: addEnumValue)',
  check(ctx) {
    if (ctx.stmt.kind !== 'AlterEnumStmt' || !ctx.session.tx) return;
    const s = ctx.stmt.body as AlterEnumStmt;
    if (s.oldVal || !s.newVal) return;
    const type = ctx.resolve(nameParts(s.typeName));
    if (type && ctx.session.newTypes.has(keyOf(type))) return;
    const label = type ? display(type) : 'the enum';
    if (!atLeast(ctx.version, 12)) {
      ctx.report({
        message:
          `ALTER TYPE ${label} ADD VALUE cannot run inside a transaction block on ` +
          `PG ${ctx.version.major}: the migration fails`,
      });
      return;
    }
    for (const next of ctx.statements.slice(ctx.stmt.index + 1)) {
      if (
        next.kind === 'TransactionStmt' &&
        ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK'].includes(next.body.kind as string)
      )
        break;
      let used = false;
      walk(next.body, (tag, body) => {
        if (used) return false;
        if (tag === 'A_Const' && (body.sval as { sval?: string } | undefined)?.sval === s.newVal) used = true;
        return undefined;
      });
      if (used) {
        ctx.report({
          message:
            `ALTER TYPE ${label} ADD VALUE '${s.newVal}' and a later statement in the same ` +
            `transaction uses '${s.newVal}': it fails with "unsafe use of new value" until the ADD ` +
            `VALUE commits`,
        });
        return;
      }
    }
  },
});

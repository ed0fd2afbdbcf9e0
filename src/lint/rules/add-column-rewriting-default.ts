import type { A_Const } from 'libpg-query';
import { as, typeInfo } from '../ast.js';
import { defaultVolatility } from '../exprs.js';
import { addedColumns, columnConstraint, SERIAL_TYPES } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { atLeast } from '../names.js';
import { defineRule } from '../rule.js';

/**
 * ADD COLUMN with a volatile DEFAULT rewrites the table under ACCESS EXCLUSIVE (verified:
 * gen_random_uuid(), random(), clock_timestamp()). From PG 11 a constant or stable default is stored
 * in attmissingval without a rewrite; before 11 any non-NULL default rewrites.
 */
export const addColumnRewritingDefault = defineRule({
  id: 'add-column-rewriting-default',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD COLUMN with a volatile default (or any default before PG 11) rewrites the table',
  help:
    'add the column without a default, SET DEFAULT for new rows, ' +
    'backfill existing rows in batches (zdm operation: addColumn, which backfills volatile defaults)',
  check(ctx) {
    const fast = atLeast(ctx.version, 11);
    for (const { col, table } of addedColumns(ctx)) {
      const def = columnConstraint(col, 'CONSTR_DEFAULT');
      if (!def?.raw_expr || SERIAL_TYPES.has(typeInfo(col.typeName)?.name ?? '')) continue;
      if (as<A_Const>(def.raw_expr, 'A_Const')?.isnull) continue;
      let why: string;
      if (!fast)
        why =
          `on PG ${ctx.version.major} any non-NULL default is written into every row (PG 11+ ` +
          `stores a constant default without a rewrite)`;
      else {
        const v = defaultVolatility(def.raw_expr, ctx.volatility);
        if (!v.volatile) continue;
        why = v.unknown
          ? `${v.culprit} is not a known immutable or stable built-in, so it counts as volatile: ` +
            `Postgres evaluates it for every existing row`
          : `${v.culprit} is volatile: Postgres evaluates it for every existing row`;
      }
      ctx.report({
        message:
          `ADD COLUMN ${col.colname ?? ''} ... ` +
          `DEFAULT ${lockPhrase(LockMode.AccessExclusive, table, 'rewrite')} (${why})`,
        at: def.location,
      });
    }
  },
});

import { addedColumns, columnConstraint } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { atLeast } from '../names.js';
import { defineRule } from '../rule.js';

/** A STORED generated column is computed for every existing row: a full rewrite (verified). */
export const addColumnGeneratedStored = defineRule({
  id: 'add-column-generated-stored',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD COLUMN ... GENERATED ALWAYS AS (...) STORED rewrites the table',
  help: 'add a plain column kept up to date by a trigger and backfill it in batches (zdm operation: transformColumn)',
  check(ctx) {
    for (const { col, table } of addedColumns(ctx)) {
      const gen = columnConstraint(col, 'CONSTR_GENERATED');
      if (!gen || (gen as { generated_kind?: string }).generated_kind === 'v') continue;
      ctx.report({
        message:
          `ADD COLUMN ${col.colname ?? ''} GENERATED ALWAYS AS (...) ` +
          `STORED ${lockPhrase(LockMode.AccessExclusive, table, 'rewrite')}: ` +
          `the expression is computed and stored for every existing row`,
        help: atLeast(ctx.version, 18)
          ? 'on PG 18 a VIRTUAL generated column needs no rewrite; ' +
            'otherwise add a plain column kept up to date by a trigger and backfill it in batches (zdm ' +
            'operation: transformColumn)'
          : undefined,
        at: gen.location,
      });
    }
  },
});

import { alterTable } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { atLeast } from '../names.js';
import { defineRule } from '../rule.js';

/**
 * SET NOT NULL scans the table under ACCESS EXCLUSIVE, except (PG 12+) when a validated
 * CHECK (c IS NOT NULL) already proves it: "existing constraints ... are sufficient to prove".
 */
export const setNotNull = defineRule({
  id: 'set-not-null',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'SET NOT NULL scans the table under ACCESS EXCLUSIVE',
  help:
    'ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID, backfill, ' +
    'VALIDATE CONSTRAINT in a separate transaction, then (PG 12+) SET NOT NULL skips the scan; ' +
    'drop the CHECK afterwards (zdm operation: setNotNull)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter?.table || ctx.isNewOrEmpty(alter.table)) return;
    const pg12 = atLeast(ctx.version, 12);
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_SetNotNull' || !cmd.name) continue;
      const column = cmd.name;
      const table = ctx.table(alter.table);
      if (table?.columns.get(column)?.notNull) continue; // already NOT NULL: a no-op
      if (pg12) {
        // Only a validated CHECK (column IS NOT NULL) on this column proves it (in the catalog, or
        // added or validated earlier in the file): a VALIDATE of another constraint, or of one zdm
        // cannot see (no catalog), proves nothing.
        if (ctx.session.schema.notNullProven(alter.table, column)) continue;
      }
      ctx.report({
        message:
          `SET NOT NULL on ${column} ${lockPhrase(LockMode.AccessExclusive, alter.table, 'scan')} ` +
          `to check for NULLs${pg12 ? '' : ` (PG ${ctx.version.major} cannot use a CHECK to skip the scan)`}; ` +
          `it fails if any row is NULL`,
        help: pg12
          ? `ADD CONSTRAINT ${column}_not_null CHECK (${column} IS NOT NULL) NOT VALID, backfill, ` +
            `VALIDATE CONSTRAINT in a separate transaction, then SET NOT NULL (no scan) and drop the ` +
            `CHECK${atLeast(ctx.version, 18) ? '; on PG 18, ADD CONSTRAINT ... NOT NULL ' + column + ' NOT VALID then VALIDATE also works' : ''} ` +
            `(zdm operation: setNotNull)`
          : `before PG 12 SET NOT NULL always scans: keep a validated CHECK (${column} IS NOT NULL) ` +
            `NOT VALID + VALIDATE instead (zdm operation: setNotNull)`,
      });
    }
  },
});

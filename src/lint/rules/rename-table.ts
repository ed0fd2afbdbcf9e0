import type { AlterObjectSchemaStmt, RenameStmt, ViewStmt } from 'libpg-query';
import { display, keyOf, type QualifiedName } from '../names.js';
import { defineRule, type RuleContext } from '../rule.js';

/** True when a later statement of the file (before COMMIT) creates a view under the old name. */
function compatibilityView(ctx: RuleContext, old: QualifiedName): boolean {
  for (const next of ctx.statements.slice(ctx.stmt.index + 1)) {
    if (next.kind === 'TransactionStmt') return false;
    if (next.kind !== 'ViewStmt') continue;
    const view = (next.body as ViewStmt).view;
    if (!view?.relname) continue;
    const q = { schema: view.schemaname ?? old.schema, name: view.relname };
    if (keyOf(q) === keyOf(old)) return true;
  }
  return false;
}

/** Renaming a table (or moving it to another schema) breaks every query using the old name. */
export const renameTable = defineRule({
  id: 'rename-table',
  severity: 'error',
  defaultOn: true,
  kinds: ['RenameStmt', 'AlterObjectSchemaStmt'],
  summary: 'RENAME TO / SET SCHEMA on a table breaks every query that uses the old name',
  help:
    'rename and CREATE VIEW <old name> AS SELECT * FROM <new name> in the same transaction ' +
    '(simple views are updatable), drop the view at contract (zdm operation: renameTable)',
  check(ctx) {
    let table: QualifiedName | undefined;
    let what: string;
    if (ctx.stmt.kind === 'RenameStmt') {
      const s = ctx.stmt.body as RenameStmt;
      if (s.renameType !== 'OBJECT_TABLE') return;
      table = ctx.resolveRange(s.relation);
      what = `RENAME TO ${s.newname ?? ''}`;
    } else if (ctx.stmt.kind === 'AlterObjectSchemaStmt') {
      const s = ctx.stmt.body as AlterObjectSchemaStmt;
      if (s.objectType !== 'OBJECT_TABLE') return;
      table = ctx.resolveRange(s.relation);
      what = `SET SCHEMA ${s.newschema ?? ''}`;
    } else return;
    if (!table || ctx.isNew(table) || compatibilityView(ctx, table)) return;
    ctx.report({
      message:
        `ALTER TABLE ${display(table)} ${what} takes ACCESS EXCLUSIVE (brief) and breaks ` +
        `every running query that still names ${display(table)}`,
    });
  },
});

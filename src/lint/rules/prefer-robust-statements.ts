import type { DropStmt, IndexStmt } from 'libpg-query';
import { alterTable, constraintDef } from '../inspect.js';
import { defineRule } from '../rule.js';

/** Outside a transaction a failed file is left half applied; guards let it be re-run. */
export const preferRobustStatements = defineRule({
  id: 'prefer-robust-statements',
  severity: 'warning',
  defaultOn: false,
  kinds: ['CreateStmt', 'IndexStmt', 'DropStmt', 'AlterTableStmt'],
  summary:
    'outside a transaction, statements without IF [NOT] EXISTS make a partly applied migration fail when retried',
  help:
    'add IF NOT EXISTS / IF EXISTS guards, and name concurrently built indexes (check ' +
    'pg_index.indisvalid after a failed build)',
  check(ctx) {
    if (ctx.session.tx) return;
    const { kind, body } = ctx.stmt;
    const problems: string[] = [];
    // ON COMMIT DROP outside a transaction: the table is gone when the statement ends.
    if (kind === 'CreateStmt' && !body.if_not_exists && body.oncommit !== 'ONCOMMIT_DROP')
      problems.push('CREATE TABLE without IF NOT EXISTS');
    if (kind === 'IndexStmt') {
      const s = body as IndexStmt;
      if (!s.idxname)
        problems.push(
          'an unnamed CREATE INDEX (a failed CONCURRENTLY build leaves an INVALID index under a generated name)',
        );
      else if (!s.if_not_exists) problems.push('CREATE INDEX without IF NOT EXISTS');
    }
    if (kind === 'DropStmt' && !(body as DropStmt).missing_ok) problems.push('DROP without IF EXISTS');
    for (const cmd of alterTable(ctx)?.cmds ?? []) {
      if (cmd.subtype === 'AT_AddColumn' && !cmd.missing_ok) problems.push('ADD COLUMN without IF NOT EXISTS');
      if (cmd.subtype === 'AT_DropColumn' && !cmd.missing_ok) problems.push('DROP COLUMN without IF EXISTS');
      if (cmd.subtype === 'AT_DropConstraint' && !cmd.missing_ok) problems.push('DROP CONSTRAINT without IF EXISTS');
      if (cmd.subtype === 'AT_AddConstraint' && constraintDef(cmd)?.indexname)
        problems.push(
          'ADD CONSTRAINT ... USING INDEX (the index now belongs to the constraint, ' +
            'so a re-run finds no free index; a DROP CONSTRAINT IF EXISTS before it would drop the ' +
            'index too: check pg_constraint first)',
        );
    }
    for (const p of problems)
      ctx.report({
        message: `${p} outside a transaction: if the migration fails after this statement, re-running it fails here`,
      });
  },
});

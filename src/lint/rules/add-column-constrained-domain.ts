import { typeInfo } from '../ast.js';
import { addedColumns } from '../inspect.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { keyOf } from '../names.js';
import { defineRule } from '../rule.js';

/** A column of a domain with CHECK/NOT NULL forces a rewrite to check every row (verified, even without a default). */
export const addColumnConstrainedDomain = defineRule({
  id: 'add-column-constrained-domain',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'ADD COLUMN of a domain type with constraints rewrites the table',
  help:
    'use the base type plus a table CHECK added NOT VALID and validated separately (zdm ' +
    'operation: addColumn with check)',
  check(ctx) {
    for (const { col, table } of addedColumns(ctx)) {
      const t = typeInfo(col.typeName);
      const domain = t && ctx.resolve({ schema: t.schema, name: t.name });
      if (!t || !domain) continue;
      const constrained =
        ctx.session.domains.get(keyOf(domain))?.constrained ?? ctx.catalog?.domain(domain)?.constrained ?? false;
      if (!constrained) continue;
      ctx.report({
        message:
          `ADD COLUMN ${col.colname ?? ''} of domain ${t.name}, ` +
          `which has constraints, ${lockPhrase(LockMode.AccessExclusive, table, 'rewrite')} to check ` +
          `the domain for every row`,
        at: col.location,
      });
    }
  },
});

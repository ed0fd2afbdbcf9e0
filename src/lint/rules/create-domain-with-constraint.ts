import type { Constraint, CreateDomainStmt } from 'libpg-query';
import { as, strings } from '../ast.js';
import { defineRule } from '../rule.js';

export const createDomainWithConstraint = defineRule({
  id: 'create-domain-with-constraint',
  severity: 'warning',
  defaultOn: false,
  kinds: ['CreateDomainStmt'],
  summary: 'a domain with CHECK/NOT NULL makes later changes scan every table using it',
  help: 'use the base type with column CHECK constraints',
  check(ctx) {
    if (ctx.stmt.kind !== 'CreateDomainStmt') return;
    const s = ctx.stmt.body as CreateDomainStmt;
    const c = (s.constraints ?? [])
      .map((n) => as<Constraint>(n, 'Constraint'))
      .find((x) => x?.contype === 'CONSTR_CHECK' || x?.contype === 'CONSTR_NOTNULL');
    if (!c) return;
    ctx.report({
      message:
        `domain ${strings(s.domainname).join('.')} has ` +
        `a ${c.contype === 'CONSTR_CHECK' ? 'CHECK' : 'NOT NULL'} constraint: ` +
        `adding a column of it rewrites the table, and changing the constraint scans every table ` +
        `that uses it under SHARE`,
      at: c.location,
    });
  },
});

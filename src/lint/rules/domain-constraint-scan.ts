import type { AlterDomainStmt, Constraint } from 'libpg-query';
import { as } from '../ast.js';
import { display, keyOf } from '../names.js';
import { nameParts } from '../session.js';
import { defineRule } from '../rule.js';

/**
 * Domain constraints are validated against every column of every table using the domain, under SHARE
 * (verified, even VALIDATE).
 */
export const domainConstraintScan = defineRule({
  id: 'domain-constraint-scan',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterDomainStmt'],
  summary: 'adding or validating a domain constraint scans every table using the domain under SHARE',
  help:
    'avoid constraints on domains; use column or table CHECKs (NOT VALID, ' +
    'then VALIDATE) instead (zdm operation: addCheck)',
  check(ctx) {
    if (ctx.stmt.kind !== 'AlterDomainStmt') return;
    const s = ctx.stmt.body as AlterDomainStmt;
    const domain = ctx.resolve(nameParts(s.typeName));
    if (domain && ctx.session.domains.has(keyOf(domain))) return; // created in this file: no column uses it yet
    const label = domain ? display(domain) : 'the domain';
    let what: string | undefined;
    if (s.subtype === 'C') {
      const c = as<Constraint>(s.def, 'Constraint');
      if (c?.skip_validation) return; // NOT VALID: only new values are checked, no lock on tables
      what = `ALTER DOMAIN ${label} ADD CONSTRAINT`;
    } else if (s.subtype === 'V') what = `ALTER DOMAIN ${label} VALIDATE CONSTRAINT`;
    else if (s.subtype === 'O') what = `ALTER DOMAIN ${label} SET NOT NULL`;
    if (!what) return;
    ctx.report({
      message:
        `${what} takes SHARE on every table with a column of this domain and scans them all: ` +
        `blocks writes to each for the whole scan (NOT VALID + VALIDATE does not avoid it for domains)`,
    });
  },
});

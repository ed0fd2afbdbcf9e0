import type { ClusterStmt, Node, VacuumStmt } from 'libpg-query';
import { as } from '../ast.js';
import { optionOn } from '../../sql/options.js';
import { LockMode } from '../locks.js';
import { lockPhrase } from '../messages.js';
import { defineRule } from '../rule.js';

/** VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE. */
export const vacuumFullOrCluster = defineRule({
  id: 'vacuum-full-or-cluster',
  severity: 'error',
  defaultOn: true,
  kinds: ['VacuumStmt', 'ClusterStmt'],
  summary: 'VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE',
  help: 'use plain VACUUM, or pg_repack (PG 19: REPACK CONCURRENTLY) to compact a table online',
  check(ctx) {
    if (ctx.stmt.kind === 'VacuumStmt') {
      const s = ctx.stmt.body as VacuumStmt;
      if (!s.is_vacuumcmd || !optionOn(s.options, 'full')) return;
      const rels = (s.rels ?? []).map((r) =>
        ctx.resolveRange(as<{ relation?: import('libpg-query').RangeVar }>(r as Node, 'VacuumRelation')?.relation),
      );
      if (rels.length && rels.every((r) => ctx.isNewOrEmpty(r))) return;
      const table = rels.length === 1 ? rels[0] : undefined;
      ctx.report({
        message: `VACUUM FULL ${rels.length ? lockPhrase(LockMode.AccessExclusive, table, 'rewrite') : 'rewrites every table in the database, each under ACCESS EXCLUSIVE: blocks reads and writes for each rewrite'}`,
      });
    } else if (ctx.stmt.kind === 'ClusterStmt') {
      const s = ctx.stmt.body as ClusterStmt;
      const table = ctx.resolveRange(s.relation);
      if (table && ctx.isNewOrEmpty(table)) return;
      ctx.report({
        message: `CLUSTER ${table ? lockPhrase(LockMode.AccessExclusive, table, 'rewrite') : 'rewrites every previously clustered table under ACCESS EXCLUSIVE: blocks reads and writes for each rewrite'}`,
      });
    }
  },
});

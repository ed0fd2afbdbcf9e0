import { as } from '../ast.js';
import { alterTable } from '../inspect.js';
import { atLeast, display } from '../names.js';
import { defineRule } from '../rule.js';

/** DETACH PARTITION takes ACCESS EXCLUSIVE on the parent and the partition (verified). */
export const detachPartitionNonConcurrent = defineRule({
  id: 'detach-partition-non-concurrent',
  severity: 'error',
  defaultOn: true,
  kinds: ['AlterTableStmt'],
  summary: 'DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent and the partition',
  help: 'use DETACH PARTITION ... CONCURRENTLY (PG 14+, outside a transaction; run ... FINALIZE if it is interrupted)',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter || ctx.isNew(alter.table)) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_DetachPartition') continue;
      const p = as<{ concurrent?: boolean; name?: import('libpg-query').RangeVar }>(cmd.def, 'PartitionCmd');
      if (p?.concurrent) continue;
      const part = ctx.resolveRange(p?.name);
      ctx.report({
        message:
          `DETACH PARTITION takes ACCESS EXCLUSIVE ` +
          `on ${alter.table ? display(alter.table) : 'the parent'} ` +
          `and ${part ? display(part) : 'the partition'}: blocks reads and writes on the whole ` +
          `partitioned table while it waits and runs`,
        help: atLeast(ctx.version, 14)
          ? undefined
          : `DETACH PARTITION CONCURRENTLY needs PG 14; on PG ${ctx.version.major} run it with a ` +
            `short lock_timeout and retries`,
      });
    }
  },
});

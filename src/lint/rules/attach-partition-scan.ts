import { as } from '../ast.js';
import { alterTable } from '../inspect.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

/** ATTACH PARTITION scans the new partition under ACCESS EXCLUSIVE unless a validated CHECK implies the bounds. */
export const attachPartitionScan = defineRule({
  id: 'attach-partition-scan',
  severity: 'warning',
  defaultOn: false,
  kinds: ['AlterTableStmt'],
  summary: 'ATTACH PARTITION scans the partition under ACCESS EXCLUSIVE unless a validated CHECK implies its bounds',
  help:
    'add a CHECK matching the partition bounds NOT VALID, VALIDATE it, ' +
    'ATTACH PARTITION (no scan: "implied by existing constraints"), then drop the CHECK',
  check(ctx) {
    const alter = alterTable(ctx);
    if (!alter) return;
    for (const cmd of alter.cmds) {
      if (cmd.subtype !== 'AT_AttachPartition') continue;
      const part = ctx.resolveRange(as<{ name?: import('libpg-query').RangeVar }>(cmd.def, 'PartitionCmd')?.name);
      if (ctx.isNewOrEmpty(part)) continue;
      // With a catalog, any validated CHECK on the partition is taken as the bounds proof.
      if (ctx.table(part)?.checks.some((c) => c.validated)) continue;
      ctx.report({
        message:
          `ATTACH PARTITION takes ACCESS EXCLUSIVE ` +
          `on ${part ? display(part) : 'the partition'} and scans it to check the partition bounds ` +
          `(and scans the DEFAULT partition, if any): blocks reads and writes on it for the whole scan`,
      });
    }
  },
});

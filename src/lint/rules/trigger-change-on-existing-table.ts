import type { CreateTrigStmt } from 'libpg-query';
import { alterTable } from '../inspect.js';
import { display } from '../names.js';
import { defineRule } from '../rule.js';

const TRIGGER_CMDS = new Set([
  'AT_EnableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
]);

export const triggerChangeOnExistingTable = defineRule({
  id: 'trigger-change-on-existing-table',
  severity: 'warning',
  defaultOn: false,
  kinds: ['CreateTrigStmt', 'AlterTableStmt'],
  summary: 'CREATE TRIGGER / ENABLE / DISABLE TRIGGER takes SHARE ROW EXCLUSIVE on an existing table',
  help: 'run it with a short lock_timeout, and review the per-row cost on hot tables',
  check(ctx) {
    if (ctx.stmt.kind === 'CreateTrigStmt') {
      const table = ctx.resolveRange((ctx.stmt.body as CreateTrigStmt).relation);
      if (ctx.isNew(table)) return;
      ctx.report({
        message:
          `CREATE TRIGGER takes SHARE ROW EXCLUSIVE ` +
          `on ${table ? display(table) : 'the table'} (blocks writes while it waits) and adds ` +
          `per-row work to every write`,
      });
      return;
    }
    const alter = alterTable(ctx);
    if (!alter || ctx.isNew(alter.table)) return;
    if (!alter.cmds.some((c) => TRIGGER_CMDS.has(c.subtype ?? ''))) return;
    ctx.report({
      message:
        `ENABLE/DISABLE TRIGGER takes SHARE ROW EXCLUSIVE ` +
        `on ${alter.table ? display(alter.table) : 'the table'}: blocks writes while it waits`,
    });
  },
});

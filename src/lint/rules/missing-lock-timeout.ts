import { LOCK_NAMES, LockMode, blocks, statementLocks, type LockModeValue } from '../locks.js';
import { display } from '../names.js';
import { defineRule, type RuleContext } from '../rule.js';

/** The strongest lock (>= SHARE) this statement takes on a relation that existed before the file. */
export function strongLockOnExisting(ctx: RuleContext): { mode: LockModeValue; table: string } | undefined {
  let best: { mode: LockModeValue; table: string } | undefined;
  for (const t of statementLocks(ctx.stmt.kind, ctx.stmt.body)) {
    if (t.mode < LockMode.Share) continue;
    const q = ctx.resolve(t.relation);
    if (!q || ctx.isNew(q) || ctx.session.newIndexes.has(`${q.schema}\u0000${q.name}`)) continue;
    if (!best || t.mode > best.mode)
      best = { mode: t.mode, table: t.viaIndex ? `the table of index ${display(q)}` : display(q) };
  }
  return best;
}

/**
 * A DDL statement waiting for its lock makes every later query on the table queue behind it: the
 * lock-queue outage. zdm's runner sets lock_timeout itself, so this rule is opt-in, for files other
 * tools run. Reported once per file, at the first statement that needs it.
 */
export const missingLockTimeout = defineRule({
  id: 'missing-lock-timeout',
  severity: 'warning',
  defaultOn: false,
  summary: 'a statement takes a strong lock with no lock_timeout set',
  help:
    "SET lock_timeout = '2s' at the top of the file (SET LOCAL inside the transaction) and " +
    "retry on timeout; zdm's runner does both",
  check(ctx) {
    if (ctx.session.lockTimeout?.on) return;
    const lock = strongLockOnExisting(ctx);
    if (!lock || !ctx.once('file')) return;
    ctx.report({
      message:
        `no lock_timeout is set before a statement that takes ${LOCK_NAMES[lock.mode]} ` +
        `on ${lock.table} (${blocks(lock.mode)}): while it waits behind a long transaction, ` +
        `every later query on the table queues behind it`,
    });
  },
});

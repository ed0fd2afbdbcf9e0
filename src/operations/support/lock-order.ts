import { quoteQualified, type QualifiedName } from '../../db/quote.js';
import { LOCK_MODES, type LockTaken } from '../../plan/types.js';
import { tableKey } from '../../db/catalog.js';

/**
 * Lock timeout for every lock after the first in a step that locks several tables: far below
 * Postgres's deadlock_timeout (1 s by default).
 *
 * Why: a step that locks `events` and then `tickets` can deadlock with an application statement
 * that holds `tickets` and needs `events` (an INSERT into tickets checking its foreign key), or the
 * other way round (a DELETE on events cascading to tickets): whichever order zdm picks, some
 * statement takes the other. Postgres then aborts whoever waited longest, usually the
 * application's statement. Holding the first lock while waiting at most this long for the others
 * means the application's deadlock check (after deadlock_timeout) never fires: zdm gives up first,
 * releases everything and retries the step with backoff.
 */
export const FOLLOW_UP_LOCK_TIMEOUT_MS = 100;

/**
 * `LOCK TABLE` statements taking `locks` in order, the first with the step's lock_timeout, the rest
 * quickly. `only`: each table alone (a partitioned table's partitions are then among `locks`).
 */
export function lockTablesStatements(locks: LockTaken[], only = false): string[] {
  const strongest = new Map<string, LockTaken>();
  for (const l of locks) {
    const seen = strongest.get(tableKey(l.relation));
    if (!seen || LOCK_MODES.indexOf(l.mode) > LOCK_MODES.indexOf(seen.mode)) strongest.set(tableKey(l.relation), l);
  }
  const list = [...strongest.values()];
  if (list.length < 2) return [];
  const lock = (l: { relation: QualifiedName; mode: string }) =>
    `LOCK TABLE ${only ? 'ONLY ' : ''}${quoteQualified(l.relation)} IN ${l.mode} MODE`;
  return [lock(list[0]!), followUpLockTimeout(), ...list.slice(1).map(lock)];
}

/** The statement giving every lock after the first the short timeout. */
export function followUpLockTimeout(): string {
  return `SET LOCAL lock_timeout = '${FOLLOW_UP_LOCK_TIMEOUT_MS}ms'`;
}

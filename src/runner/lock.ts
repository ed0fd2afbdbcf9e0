import { createHash } from 'node:crypto';
import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockHeldError, type LockHolder } from '../errors.js';

/** First key of zdm's advisory locks ("zdm" in ASCII); the second is derived from the state schema. */
const LOCK_CLASS = 0x7a646d;

export function lockKey(stateSchema: string): number {
  return createHash('sha256').update(stateSchema).digest().readUInt32BE(0) & 0x7fffffff;
}

/**
 * Holds zdm's session-level advisory lock for the runner's lifetime, so two runners never change
 * the same database at once. A second runner fails fast (or waits up to `waitMs`) with a message
 * that names the holder: its pid, application_name (`zdm advance user@host:pid`) and start time.
 * The lock lives on a dedicated connection: if the runner dies, Postgres releases it.
 */
export async function acquireRunnerLock(
  client: pg.Client,
  stateSchema: string,
  options: { waitMs?: number; signal?: AbortSignal } = {},
): Promise<() => Promise<void>> {
  const key = lockKey(stateSchema);
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1, $2) AS ok`, [
      LOCK_CLASS,
      key,
    ]);
    if (rows[0]?.ok) {
      return async () => {
        await client.query(`SELECT pg_advisory_unlock($1, $2)`, [LOCK_CLASS, key]).catch(() => undefined);
      };
    }
    if (Date.now() >= deadline || options.signal?.aborted) {
      const holder = await lockHolder(client, key);
      throw new LockHeldError(describe(holder, stateSchema), holder);
    }
    await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
  }
}

export async function lockHolder(client: pg.Client | pg.Pool, key: number): Promise<LockHolder | undefined> {
  const { rows } = await client.query<{
    pid: number;
    application_name: string;
    client_addr: string | null;
    backend_start: Date | null;
    state: string | null;
  }>(
    `SELECT l.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start, a.state
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LOCK_CLASS, key],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    pid: row.pid,
    applicationName: row.application_name ?? '',
    clientAddr: row.client_addr,
    backendStart: row.backend_start ? row.backend_start.toISOString() : null,
    state: row.state,
  };
}

function describe(holder: LockHolder | undefined, stateSchema: string): string {
  if (!holder)
    return (
      `another zdm runner holds the migration lock on this database (state ` +
      `schema ${stateSchema}); it was released while we looked: try again`
    );
  const who = holder.applicationName || 'a session without application_name';
  const from = holder.clientAddr ? ` from ${holder.clientAddr}` : '';
  const since = holder.backendStart ? `, connected since ${holder.backendStart}` : '';
  return (
    `another zdm runner holds the migration lock: "${who}" (backend ` +
    `pid ${holder.pid}${from}${since}). Wait for it to finish, ` +
    `or pass --lock-wait <duration> to wait; nothing was changed`
  );
}

import type pg from 'pg';
import { formatDuration } from '../config/units.js';
import { displayName, quoteQualified, type QualifiedName } from '../db/quote.js';
import { errorMessage } from '../errors.js';

/**
 * Throttle signals besides replica lag, checked before every batch (throttle.ts caches them). Each
 * returns why the backfill must pause (naming the value seen and the limit), or null. Any error
 * reading a signal is itself a reason to pause: a signal that cannot be read cannot say "go".
 */
export type Signal = () => Promise<string | null>;

export interface LockWaits {
  waiting: number;
  /** How long the longest-waiting statement has been running, seconds. */
  longestSeconds: number;
}

export function judgeLockWaits(w: LockWaits, table: string): string | null {
  if (w.waiting === 0) return null;
  return (
    `${w.waiting} session${w.waiting === 1 ? '' : 's'} wait${w.waiting === 1 ? 's' : ''} for a ` +
    `lock on ${table} or held by the backfill (longest ` +
    `for ${formatDuration(w.longestSeconds * 1000)}; limit: none may wait)`
  );
}

/**
 * Sessions the backfill makes wait: a lock on the table that is not granted (the application's
 * writes queued behind DDL, or any lock queue on it), or a row/transaction lock held by one of
 * the backfill's own sessions (pg_blocking_pids). Between batches the backfill holds no locks, so
 * the second case matters when workers run batches in parallel.
 */
export function lockWaitSignal(pool: pg.Pool, table: QualifiedName, ownPids: () => number[]): Signal {
  return async () => {
    const { rows } = await pool.query<LockWaits>(
      `SELECT count(*)::int AS waiting, coalesce(max(extract(epoch FROM clock_timestamp() - a.query_start)), 0)::float8 AS "longestSeconds"
         FROM pg_stat_activity a
        WHERE a.pid <> pg_backend_pid() AND NOT a.pid = ANY($2::int[]) AND a.wait_event_type = 'Lock'
          AND (EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted AND l.relation = to_regclass($1))
               OR pg_blocking_pids(a.pid) && $2::int[])`,
      [quoteQualified(table), ownPids()],
    );
    return judgeLockWaits(rows[0]!, displayName(table));
  };
}

export interface OldestXact {
  pid: number;
  application: string;
  state: string;
  ageSeconds: number;
}

export function judgeXactAge(oldest: OldestXact | undefined, maxMs: number): string | null {
  if (!oldest || oldest.ageSeconds * 1000 <= maxMs) return null;
  const who = `pid ${oldest.pid}${oldest.application ? `, ${oldest.application}` : ''}, ${oldest.state}`;
  return (
    `the oldest transaction (${who}) has been open ${formatDuration(oldest.ageSeconds * 1000)} ` +
    `(limit ${formatDuration(maxMs)}): vacuum cannot remove the backfill's dead rows while it ` +
    `runs (--max-xact-age 0 disables this check)`
  );
}

/**
 * The oldest open transaction in this database (only those hold back vacuum of its tables), left
 * out: zdm's own sessions (same application_name), idle sessions, and background workers.
 */
export function xactAgeSignal(pool: pg.Pool, maxMs: number, applicationName: string): Signal {
  return async () => {
    const { rows } = await pool.query<OldestXact>(
      `SELECT pid, coalesce(application_name, '') AS application, coalesce(state, '') AS state,
              extract(epoch FROM clock_timestamp() - xact_start)::float8 AS "ageSeconds"
         FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
          AND xact_start IS NOT NULL AND state IS DISTINCT FROM 'idle' AND application_name IS DISTINCT FROM $1
        ORDER BY xact_start LIMIT 1`,
      [applicationName],
    );
    return judgeXactAge(rows[0], maxMs);
  };
}

/** The throttle query's verdict: true, a number > 0, or text that reads as either, pauses. */
export function throttleValuePauses(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value > 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (['t', 'true', 'yes', 'on'].includes(text)) return true;
    const n = Number(text);
    return text !== '' && Number.isFinite(n) && n > 0;
  }
  return false;
}

/**
 * `--throttle-query`: run on the primary in a READ ONLY transaction with a statement timeout, then
 * rolled back; the first column of the first row decides. An error pauses, with its text.
 */
export function throttleQuerySignal(pool: pg.Pool, sql: string, timeoutMs = 5_000): Signal {
  return async () => {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SELECT set_config('statement_timeout', $1, true)`, [`${timeoutMs}ms`]);
      const results: pg.QueryArrayResult | pg.QueryArrayResult[] = await client.query({ text: sql, rowMode: 'array' });
      // Several statements (simple protocol) answer with one result each: the last one decides.
      const result = Array.isArray(results) ? results.at(-1) : results;
      const value: unknown = result?.rows[0]?.[0];
      return throttleValuePauses(value)
        ? `the throttle query returned ${JSON.stringify(value)} (pauses on true or a number > 0)`
        : null;
    } catch (err) {
      return `the throttle query failed: ${errorMessage(err)} (pausing until it succeeds)`;
    } finally {
      await client.query('ROLLBACK').catch(() => (broken = true));
      client.release(broken);
    }
  };
}

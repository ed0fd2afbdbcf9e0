import type pg from 'pg';

/**
 * Runs `fn` in one transaction on `client`: BEGIN, then COMMIT, or ROLLBACK when `fn` throws (a
 * failing ROLLBACK is ignored: the error that caused it is the one worth reporting). The one
 * transaction helper of the code that runs plans and keeps zdm's state.
 */
export async function inTransaction<T, C extends pg.ClientBase>(client: C, fn: (client: C) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  return rollingBack(client, async () => {
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  });
}

/**
 * Runs `fn`, which opens and commits a transaction on `client` itself (a backfill batch sends BEGIN
 * and COMMIT in one message with other statements); when it throws, ROLLBACK, as inTransaction does.
 */
export async function rollingBack<T>(client: pg.ClientBase, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Runs `fn` on a session of the pool. The session is closed afterwards, not returned to the pool,
 * unless `reuse`: steps and batches change session settings (lock_timeout, statement_timeout), and
 * such a session must not serve the next caller. Steps are few, so a fresh connection each costs
 * nothing.
 */
export async function withClient<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  options: { reuse?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    return await fn(client);
  } finally {
    client.release(!options.reuse);
  }
}

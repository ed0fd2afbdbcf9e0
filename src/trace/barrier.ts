import type pg from 'pg';

/**
 * An open REPEATABLE READ transaction with a snapshot and ACCESS SHARE on the given tables: a
 * CREATE/DROP INDEX CONCURRENTLY started after it waits for it (holding its own locks, where
 * a sample sees them), and so does any ACCESS EXCLUSIVE request on those tables. Released by
 * the sampler on the first wait it sees, or at the end of the step.
 */
export class Barrier {
  private released: Promise<void> | undefined;

  private constructor(private readonly client: pg.PoolClient) {}

  static async open(pool: pg.Pool, tables: string[]): Promise<Barrier> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await client.query('SELECT 1');
      for (const table of tables) {
        const kind = await client.query<{ relkind: string }>(
          'SELECT relkind::text FROM pg_class WHERE oid = to_regclass($1)',
          [table],
        );
        if (['r', 'p', 'v', 'm'].includes(kind.rows[0]?.relkind ?? ''))
          await client.query(`LOCK TABLE ${table} IN ACCESS SHARE MODE`);
      }
    } catch (err) {
      client.release(true);
      throw err;
    }
    return new Barrier(client);
  }

  release(): Promise<void> {
    this.released ??= this.client
      .query('ROLLBACK')
      .then(() => undefined)
      .finally(() => this.client.release(true));
    return this.released;
  }
}

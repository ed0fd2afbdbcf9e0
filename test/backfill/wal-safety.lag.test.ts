import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startCluster, type Cluster } from '../../src/embedded/cluster.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/*
 * The harness replica streams through a slot, so the slot-less case gets a cluster of its own:
 * no slot and wal_keep_size = 0, where a checkpoint can recycle WAL the replica has not received
 * (it then needs re-cloning), made real.
 */
let cluster: Cluster | undefined;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
let url: string;

async function sql(query: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(query)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  cluster = await startCluster({ slot: false, fast: true });
  url = cluster.primary.url();
  dir = await tempMigrationsDir('wal-safety');
  await sql(`CREATE TABLE users (id int PRIMARY KEY, user_email text)`);
  await sql(`INSERT INTO users SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 20000) g`);
  await sql(`ANALYZE users`);
  await dir.write('0001_rename.json', {
    operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }],
  });
}, 180_000);
afterAll(async () => {
  await dir?.remove();
  await cluster?.stop();
});

describe('WAL safety before a backfill', () => {
  it('refuses (exit 3) with a slot-less replica and wal_keep_size 0, and goes on with --allow-wal-risk', async () => {
    const args = ['advance', '--migrations-dir', dir.dir, '--database-url', url];
    const standbys = await sql(
      `SELECT r.application_name AS name, s.slot_name AS slot FROM pg_stat_replication r LEFT JOIN pg_replication_slots s ON s.active_pid = r.pid`,
    );
    expect(standbys).toEqual([{ name: 'zdm_replica', slot: null }]);
    expect((await runCli(args)).code).toBe(0);
    const refused = await runCli(args);
    expect(refused.code, refused.stdout + refused.stderr).toBe(3);
    expect(refused.stderr).toMatch(
      /refusing to start the backfill of public\.users: replica zdm_replica streams without a replication slot and wal_keep_size \(0 B\) cannot hold the WAL/,
    );
    expect(refused.stderr).toMatch(/the backfill writes about 20000 rows x ~\d+ B = [\d.]+ MB/);
    expect(refused.stderr).toContain('--allow-wal-risk');
    expect(await sql(`SELECT rows_scanned FROM zdm.backfills`)).toEqual([{ rows_scanned: 0 }]);

    const allowed = await runCli([...args, '--allow-wal-risk']);
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('ran backfill');
  });

  it('passes once wal_keep_size covers the backlog', async () => {
    await sql(`ALTER SYSTEM SET wal_keep_size = '1GB'`);
    await sql(`SELECT pg_reload_conf()`);
    await sql(`CREATE TABLE orders (id int PRIMARY KEY, note text)`);
    await sql(`INSERT INTO orders SELECT g, 'n' || g FROM generate_series(1, 5000) g`);
    const other = await tempMigrationsDir('wal-safety-2');
    try {
      // A second migration on another schema so the first one's active state does not block it.
      await sql(`CREATE SCHEMA shop; ALTER TABLE orders SET SCHEMA shop`);
      await other.write('0001_orders.json', {
        operations: [{ op: 'renameColumn', table: 'shop.orders', from: 'note', to: 'remark' }],
      });
      const args = [
        'advance',
        '--migrations-dir',
        other.dir,
        '--database-url',
        url,
        '--until',
        'backfill',
        '--state-schema',
        'zdm_other',
      ];
      const result = await runCli(args);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain('ran expand, backfill');
    } finally {
      await other.remove();
    }
  });
});

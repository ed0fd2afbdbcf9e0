import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TestDatabase {
  name: string;
  /** URL of this file's database on the primary. */
  url: string;
  /** URL of the same database on the streaming replica, when the backend has one. */
  replicaUrl: string | undefined;
  major: number;
  slotName: string | undefined;
  backendId: string;
  /** A pool on this database (closed by drop()). */
  pool: pg.Pool;
  /** Runs one statement on the database and returns its rows. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Waits until the replica has replayed everything the primary has written so far. */
  waitForReplica(): Promise<void>;
  /**
   * Pauses / resumes WAL replay on the replica (pg_wal_replay_pause), for deterministic lag.
   * Only in *.lag.test.ts files: the pause is cluster-wide.
   */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  drop(): Promise<void>;
}

/** Creates a fresh database for one test file on the run's shared primary. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const server = inject('server');
  const name = `t_${label
    .replace(/[^a-z0-9]+/gi, '_')
    .toLowerCase()
    .slice(0, 40)}_${randomBytes(3).toString('hex')}`;
  await withAdmin(server.adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(server.adminUrl, name);
  const replicaUrl = server.replicaAdminUrl ? withDatabase(server.replicaAdminUrl, name) : undefined;
  // No JIT for the tests' own queries either (zdm's sessions turn it off, src/db/connect.ts): the
  // Debian-packaged servers are built with LLVM, and a catalog read through this pool compiled for
  // 3 s (partitioned.db on pg15-system, auto_explain).
  const pool = new pg.Pool({ connectionString: url, max: 8, options: '-c jit=off' });
  pool.on('error', () => undefined);
  const db: TestDatabase = {
    name,
    url,
    replicaUrl,
    major: server.major,
    slotName: server.slotName,
    backendId: server.backendId,
    pool,
    async query(sql, params) {
      return (await pool.query(sql, params)).rows;
    },
    async waitForReplica() {
      if (!server.replicaAdminUrl) return;
      const target = (await pool.query<{ lsn: string }>(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0]!.lsn;
      await withAdmin(server.replicaAdminUrl, async (c) => {
        for (let i = 0; i < 600; i++) {
          const { rows } = await c.query<{ ok: boolean }>(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [
            target,
          ]);
          if (rows[0]?.ok) return;
          await sleep(50);
        }
        throw new Error(`replica did not replay up to ${target} within 30 s`);
      });
    },
    async pauseReplay() {
      if (!server.replicaAdminUrl) throw new Error('this backend has no replica');
      await withAdmin(server.replicaAdminUrl, (c) => c.query('SELECT pg_wal_replay_pause()'));
    },
    async resumeReplay() {
      if (!server.replicaAdminUrl) throw new Error('this backend has no replica');
      await withAdmin(server.replicaAdminUrl, (c) => c.query('SELECT pg_wal_replay_resume()'));
    },
    async drop() {
      await pool.end();
      await withAdmin(server.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
  return db;
}

export function testLabel(fileUrl: string): string {
  return path.basename(new URL(fileUrl).pathname).replace(/\.(db|lag)?\.?test\.ts$/, '');
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * True on the run's other Postgres majors (the Debian-packaged ones, `pg15-system`, ...): a file
 * whose proof needs one server (the rehearsal runs on embedded PG anyway; the packed package and the
 * from-pgroll sequence do not depend on the major) runs on the embedded, external or container
 * server only and is skipped there.
 */
export function onSecondaryBackend(): boolean {
  const backend = inject('server').backendId;
  return /-system$/.test(backend) || (backend.startsWith('pg-') && backend !== 'pg-embedded');
}

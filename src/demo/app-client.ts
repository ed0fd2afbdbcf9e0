import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseColumnName, parseObjectName, quoteIdent } from '../db/quote.js';

export interface AppStats {
  name: string;
  ops: number;
  errors: string[];
  maxLatencyMs: number;
  latencies: number[];
  /** The sessions' lock_timeout, when one was set: a query that waited longer on a lock is in `errors`. */
  lockTimeoutMs: number | undefined;
}

export interface AppClient {
  stats: AppStats;
  stop(): Promise<AppStats>;
}

/** Options every simulated application takes. */
export interface AppOptions {
  url: string;
  name: string;
  connections?: number;
  thinkMs?: number;
  /**
   * Postgres lock_timeout of the application's sessions: a query that waits longer than this for a
   * lock fails ("canceling statement due to lock timeout") and is counted in `errors`. The server
   * measures the wait, so a busy machine that delays the client does not count.
   */
  lockTimeoutMs?: number;
}

/**
 * Simulated application clients: `connections` clients call `step(client, i, worker)` in a loop
 * (`i` counts operations across the connections); each call is one operation with its latency,
 * and errors are collected.
 */
export function startClients(
  options: AppOptions & { step: (client: pg.Client, i: number, worker: number) => Promise<unknown> },
): AppClient {
  const stats: AppStats = {
    name: options.name,
    ops: 0,
    errors: [],
    maxLatencyMs: 0,
    latencies: [],
    lockTimeoutMs: options.lockTimeoutMs,
  };
  let running = true;
  let counter = 0;
  const loops = Array.from({ length: options.connections ?? 2 }, async (_, worker) => {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: `app ${options.name}`,
      ...(options.lockTimeoutMs ? { lock_timeout: options.lockTimeoutMs } : {}),
    });
    client.on('error', () => undefined);
    await client.connect();
    try {
      while (running) {
        const i = counter++;
        const started = performance.now();
        try {
          await options.step(client, i, worker);
          stats.ops++;
        } catch (err) {
          // Bounded, and a pause: a client failing every query must not spin the worker.
          if (stats.errors.length < 100) stats.errors.push(`${options.name}: ${(err as Error).message}`);
          await sleep(5);
        }
        const ms = performance.now() - started;
        stats.latencies.push(ms);
        stats.maxLatencyMs = Math.max(stats.maxLatencyMs, ms);
        if (options.thinkMs) await sleep(options.thinkMs);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  });
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
      return stats;
    },
  };
}

/** One query of a simulated application; `i` counts queries across its connections. */
export type AppQuery = (i: number, worker: number) => { text: string; values?: unknown[] };

/** Clients that run a fixed list of queries in turn. */
export function startWorkload(options: AppOptions & { queries: AppQuery[] }): AppClient {
  return startClients({
    ...options,
    step: (client, i, worker) => {
      const query = options.queries[i % options.queries.length]!(i, worker);
      return client.query(query.text, query.values);
    },
  });
}

/**
 * An application version that knows `column`: inserts a row, updates a random recent row and
 * reads one back, through that column. Names as a migration file writes them (`content.articles`,
 * `"User Email"`), quoted for SQL.
 */
export function startApp(
  options: AppOptions & { table: string; column: string; keyColumn?: string; value?: (i: number) => string },
): AppClient {
  const value = options.value ?? ((i: number) => `${options.name}-${process.pid}-${Date.now()}-${i}@example.com`);
  const ref = parseObjectName(options.table);
  const table = ref.schema === undefined ? quoteIdent(ref.name) : `${quoteIdent(ref.schema)}.${quoteIdent(ref.name)}`;
  const column = quoteIdent(parseColumnName(options.column));
  const key = quoteIdent(parseColumnName(options.keyColumn ?? 'id'));
  return startWorkload({
    url: options.url,
    name: options.name,
    ...(options.connections !== undefined ? { connections: options.connections } : {}),
    ...(options.thinkMs !== undefined ? { thinkMs: options.thinkMs } : {}),
    ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
    queries: [
      (i, worker) => ({
        text: `INSERT INTO ${table} (name, ${column}) VALUES ($1, $2)`,
        values: [`${options.name} ${worker}`, value(i)],
      }),
      (i) => ({
        text: `UPDATE ${table} SET ${column} = $1 WHERE ${key} = (SELECT ${key} FROM ${table} ORDER BY ${key} DESC OFFSET (random() * 50)::int LIMIT 1)`,
        values: [value(i)],
      }),
      () => ({ text: `SELECT ${column} FROM ${table} WHERE ${key} = (SELECT max(${key}) FROM ${table})` }),
    ],
  });
}

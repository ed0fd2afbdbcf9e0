/**
 * Application workloads for the backfill benchmarks, in Node (no pgbench needed).
 *
 * - fixedRate: each client runs transactions on a fixed schedule (interval = 1 / rate, random
 *   phase per client); a transaction's latency is measured from its *scheduled* start, so a
 *   client stuck behind a lock accrues the delay of every transaction it could not start
 *   (no coordinated omission, like pgbench -R).
 * - closedLoop: each client runs one statement after another as fast as it can for a duration
 *   (write throughput, for the trigger overhead).
 */
import pg from 'pg';
import { TABLE } from './setup.js';

export interface TxSample {
  /** Scheduled start, ms on performance.now()'s clock. */
  scheduled: number;
  latencyMs: number;
  error?: string;
}

export interface FixedRateRun {
  /** Stops scheduling new transactions and waits for every client to finish its backlog. */
  stop(): Promise<TxSample[]>;
}

export interface FixedRateOptions {
  url: string;
  clients: number;
  ratePerClient: number;
  rows: number;
  /** One transaction's statements for row `id` (default: read and update it in the backfill bench's table). */
  transaction?: (client: pg.Client, id: number) => Promise<unknown>;
}

async function readAndUpdate(client: pg.Client, id: number): Promise<void> {
  await client.query({ name: 'read', text: `SELECT note FROM ${TABLE} WHERE id = $1`, values: [id] });
  await client.query({ name: 'write', text: `UPDATE ${TABLE} SET updated_at = now() WHERE id = $1`, values: [id] });
}

export async function startFixedRate(options: FixedRateOptions): Promise<FixedRateRun> {
  const interval = 1000 / options.ratePerClient;
  const clients = await Promise.all(
    Array.from({ length: options.clients }, async () => {
      const c = new pg.Client({ connectionString: options.url, application_name: 'bench app' });
      await c.connect();
      return c;
    }),
  );
  const samples: TxSample[] = [];
  let stopAt = Infinity;
  const t0 = performance.now();
  const loops = clients.map(async (client, i) => {
    let next = t0 + (interval * i) / options.clients + Math.random() * interval * 0.1;
    for (;;) {
      if (next >= stopAt) break;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      if (next >= stopAt) break;
      const scheduled = next;
      next += interval;
      const id = 1 + Math.floor(Math.random() * options.rows);
      try {
        await client.query('BEGIN');
        await (options.transaction ?? readAndUpdate)(client, id);
        await client.query('COMMIT');
        samples.push({ scheduled, latencyMs: performance.now() - scheduled });
      } catch (err) {
        samples.push({ scheduled, latencyMs: performance.now() - scheduled, error: (err as Error).message });
        await client.query('ROLLBACK').catch(() => undefined);
      }
    }
  });
  return {
    async stop() {
      stopAt = performance.now();
      await Promise.all(loops);
      await Promise.all(clients.map((c) => c.end()));
      return samples;
    },
  };
}

export interface LatencySummary {
  tx: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  /** Transactions whose latency exceeded 1 s. */
  over1s: number;
  errorSample?: string;
}

export function summarizeLatency(samples: TxSample[], from = -Infinity, to = Infinity): LatencySummary {
  const inWindow = samples.filter((s) => s.scheduled >= from && s.scheduled < to);
  const lat = inWindow.map((s) => s.latencyMs).sort((a, b) => a - b);
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! : 0);
  const errors = inWindow.filter((s) => s.error);
  return {
    tx: inWindow.length,
    errors: errors.length,
    p50: q(0.5),
    p99: q(0.99),
    max: lat.at(-1) ?? 0,
    over1s: lat.filter((l) => l > 1000).length,
    ...(errors[0] ? { errorSample: errors[0].error } : {}),
  };
}

export type WriteKind = 'update' | 'insert';

/** Closed-loop single-statement writes for `seconds`; returns statements per second. */
export async function closedLoop(
  url: string,
  kind: WriteKind,
  clients: number,
  seconds: number,
  rows: number,
  synchronousCommit: boolean,
): Promise<{ tps: number; errors: number; firstError?: string }> {
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new pg.Client({ connectionString: url, application_name: 'bench writer' });
      await c.connect();
      if (!synchronousCommit) await c.query('SET synchronous_commit = off');
      return c;
    }),
  );
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < end) {
        try {
          if (kind === 'update') {
            await c.query({
              name: 'u',
              text: `UPDATE ${TABLE} SET qty = qty + 1 WHERE id = $1`,
              values: [1 + Math.floor(Math.random() * rows)],
            });
          } else {
            await c.query({
              name: 'i',
              text: `INSERT INTO ${TABLE} (qty, note) VALUES ($1, $2)`,
              values: [Math.floor(Math.random() * 1000), 'inserted by bench'],
            });
          }
          done += 1;
        } catch (err) {
          errors += 1;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(conns.map((c) => c.end()));
  return { tps: done / elapsed, errors, ...(firstError ? { firstError } : {}) };
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { readCatalog } from '../db/catalog.js';
import { connect } from '../db/connect.js';
import type { Cluster } from '../embedded/cluster.js';
import { createRunnerContext, type SafetySettings } from '../exec/context.js';
import type { MigrationFile } from '../migration/load.js';
import { catalogRefs } from '../plan/planner.js';
import { advance } from '../runner/advance.js';
import { rollback } from '../runner/rollback.js';
import { Tracer } from '../trace/tracer.js';
import { failureOf, rehearsedSteps, type RehearsalRun } from './report.js';
import { readSchemaScript } from './schema.js';
import { buildRehearsalDatabase } from './setup.js';

export interface RehearsalReport {
  migration: string;
  targetVersion: string;
  rehearsalVersion: string;
  /** Rows loaded per table. */
  sample: { table: string; rows: number }[];
  notes: string[];
  runs: RehearsalRun[];
  /** Every run completed and every step's observed impact matched the plan's. */
  ok: boolean;
}

export interface RehearseOptions {
  rows: number;
  settings: SafetySettings;
  log: Logger;
  signal: AbortSignal;
  /**
   * A running throwaway cluster to rehearse on (its databases are created and dropped here; the
   * caller stops it): several rehearsals then share one server start. Absent: one is started and
   * stopped for this rehearsal.
   */
  cluster?: Cluster;
  /** The bin directory of the Postgres the throwaway server runs (default: rehearsalBinDir's choice). */
  binDir?: string;
}

/**
 * `zdm plan --rehearse`: recreates the tables `migration` touches on a throwaway embedded
 * Postgres, loads a sample of their rows, then runs expand -> backfill -> switch -> contract on
 * one copy and expand -> rollback on another, under the trace harness. Read-only on the target
 * (catalog reads and plain SELECTs in read-only transactions).
 */
export async function rehearse(
  target: pg.Pool,
  migration: MigrationFile,
  options: RehearseOptions,
): Promise<RehearsalReport> {
  const [{ startCluster }, { rehearsalBinDir }] = await Promise.all([
    import('../embedded/cluster.js'),
    import('../embedded/binaries.js'),
  ]);
  const refs = catalogRefs(migration);
  const planned = await readCatalog(target, refs);
  const source = await target.connect();
  let cluster = options.cluster;
  const own = !cluster;
  const db = `zdm_rehearsal_${randomBytes(4).toString('hex')}`;
  try {
    const script = await readSchemaScript(source, planned, refs.functions);
    if (!cluster) {
      const binDir = await rehearsalBinDir(Math.floor(planned.serverVersionNum / 10000), options.binDir);
      cluster = await startCluster({ replica: false, fast: true, ...(binDir ? { binDir } : {}) });
    }
    const server = cluster.primary;
    const notes = versionNotes(planned.serverVersionNum, cluster.binaries.major);
    const built = await withClient(server.url(), async (admin) => {
      await admin.query(`CREATE DATABASE ${db}`);
      const out = await withClient(server.url(db), (c) => buildRehearsalDatabase(source, c, script, options.rows));
      await admin.query(`CREATE DATABASE ${db}_rollback TEMPLATE ${db}`);
      return out;
    });
    const sampled = Math.max(0, ...built.sample.rows.values());
    const settings = sampleSettings(options.settings, sampled);
    const runs = [
      await runOn(server.url(db), migration, { ...options, settings }, 'forward'),
      await runOn(server.url(`${db}_rollback`), migration, { ...options, settings }, 'rollback'),
    ];
    return {
      migration: migration.name,
      targetVersion: versionText(planned.serverVersionNum),
      rehearsalVersion: cluster.binaries.version,
      sample: [...built.sample.rows].map(([table, rows]) => ({ table, rows })),
      notes: [
        ...notes,
        ...built.notes,
        ...(built.sample.dangling
          ? [`${built.sample.dangling} sampled rows dropped: the rows they reference were not sampled`]
          : []),
      ],
      runs,
      ok: runs.every((r) => !r.failure && r.steps.every((s) => s.mismatches.length === 0)),
    };
  } finally {
    source.release();
    if (own) await cluster?.stop();
    else if (cluster) await dropDatabases(cluster.primary.url(), [db, `${db}_rollback`]);
  }
}

async function dropDatabases(url: string, names: string[]): Promise<void> {
  await withClient(url, async (admin) => {
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

async function runOn(
  url: string,
  migration: MigrationFile,
  options: RehearseOptions,
  name: RehearsalRun['name'],
): Promise<RehearsalRun> {
  const conn = connect(url, `zdm rehearse ${name}`);
  try {
    const ctx = createRunnerContext(conn, {
      migrationsDir: '.',
      migrations: [migration],
      settings: options.settings,
      log: options.log,
      signal: options.signal,
      // The throwaway server has no replica: a gate's second of lag samples would only wait.
      gatePacing: { sampleWindowMs: 50, retryMs: 100 },
    });
    const tracer = new Tracer(conn.pool, ctx.stateSchema);
    ctx.observer = tracer;
    try {
      if (name === 'forward') {
        const result = await advance(ctx, { until: 'contract' });
        if (result.kind === 'waiting') throw new Error(`a gate stayed closed before ${result.phase}: ${result.reason}`);
      } else {
        await advance(ctx, { until: 'expand' });
        await rollback(ctx);
      }
      return { name, steps: rehearsedSteps(tracer.traces), failure: null };
    } catch (err) {
      return { name, steps: rehearsedSteps(tracer.traces), failure: failureOf(err, tracer.traces) };
    }
  } finally {
    await conn.close();
  }
}

/**
 * The target's settings, without its replicas and throttle query (they name the target's), and
 * with batches small against the sample: a batch covering a large share of a small table is read
 * by a sequential scan, which Postgres rightly prefers there and never does on the real table.
 */
function sampleSettings(settings: SafetySettings, sampledRows: number): SafetySettings {
  return {
    ...settings,
    replicas: [],
    throttleQuery: undefined,
    allowMissingReplica: true,
    batchSize: Math.min(settings.batchSize, Math.max(10, Math.floor(sampledRows / 25))),
    targetBatchMs: 1,
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'zdm rehearse' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function versionText(num: number): string {
  return `${Math.floor(num / 10000)}.${num % 10000}`;
}

function versionNotes(targetNum: number, rehearsalMajor: number): string[] {
  const major = Math.floor(targetNum / 10000);
  return major === rehearsalMajor
    ? []
    : [
        `the target runs Postgres ${major}, the rehearsal ${rehearsalMajor} (the embedded package ` +
          `ships ${rehearsalMajor} only): locks and plans can differ between majors`,
      ];
}

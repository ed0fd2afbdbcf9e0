/**
 * `zdm fleet advance` beside a sequential shell loop of `zdm advance` over the same kind of targets,
 * in the same run on the embedded primary + streaming replica: DBS databases and SCHEMAS tenant
 * schemas of one database, a rename with backfill (ROWS rows) in each, to contract. Each side gets
 * its own identical set of targets (created before either runs).
 *
 *   npm run bench -- fleet     (ZDM_BENCH_FLEET_DBS=20 ZDM_BENCH_FLEET_SCHEMAS=50 ZDM_BENCH_FLEET_ROWS=5000)
 */
import { execFile as execFileCb } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startCluster } from '../src/embedded/cluster.js';
import { fmt, loadAverage, machine, writeSection } from './report.js';

const execFile = promisify(execFileCb);
const DBS = Number(process.env.ZDM_BENCH_FLEET_DBS ?? 20);
const SCHEMAS = Number(process.env.ZDM_BENCH_FLEET_SCHEMAS ?? 50);
const ROWS = Number(process.env.ZDM_BENCH_FLEET_ROWS ?? 5000);
const CONCURRENCY = Number(process.env.ZDM_BENCH_FLEET_CONCURRENCY ?? 4);
const BIN = path.resolve('bin/zdm.js');

interface Target {
  url: string;
  schema?: string;
}

export async function benchFleet(): Promise<void> {
  const cluster = await startCluster({});
  const dir = await mkdtemp(path.join(cluster.dir, 'fleet-'));
  const migrations = path.join(dir, 'migrations');
  await execFile('mkdir', ['-p', migrations]);
  await writeFile(
    path.join(migrations, '0001_rename.json'),
    JSON.stringify({ operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email' }] }),
  );
  try {
    const fleetSide = await createTargets(cluster.primary.url, 'f');
    const loopSide = await createTargets(cluster.primary.url, 'l');
    const fleetFile = path.join(dir, 'zdm.fleet.json');
    await writeFile(fleetFile, JSON.stringify({ targets: fleetSide.map(fleetEntry) }));
    const flags = ['--migrations-dir', migrations, '--lock-timeout', '2s'];
    const loads = [loadAverage()];
    let started = performance.now();
    await execFile(
      process.execPath,
      [
        BIN,
        'fleet',
        'advance',
        '--until',
        'contract',
        '--concurrency',
        String(CONCURRENCY),
        '--fleet',
        fleetFile,
        ...flags,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const fleetS = (performance.now() - started) / 1000;
    loads.push(loadAverage());
    started = performance.now();
    await execFile('bash', ['-c', loopScript(loopSide, flags)], { maxBuffer: 64 * 1024 * 1024 });
    const loopS = (performance.now() - started) / 1000;
    loads.push(loadAverage());
    report(fleetS, loopS, loads);
  } finally {
    await cluster.stop();
  }
}

async function createTargets(url: (db?: string) => string, side: string): Promise<Target[]> {
  const admin = new pg.Client({ connectionString: url() });
  await admin.connect();
  const targets: Target[] = [];
  try {
    for (let i = 1; i <= DBS; i++) {
      await admin.query(`CREATE DATABASE fleet_${side}_${i}`);
      await seed(url(`fleet_${side}_${i}`), ['public']);
      targets.push({ url: url(`fleet_${side}_${i}`) });
    }
    await admin.query(`CREATE DATABASE fleet_${side}_tenants`);
    const schemas = Array.from({ length: SCHEMAS }, (_, i) => `tenant_${i + 1}`);
    await seed(url(`fleet_${side}_tenants`), schemas);
    for (const schema of schemas) targets.push({ url: url(`fleet_${side}_tenants`), schema });
  } finally {
    await admin.end();
  }
  return targets;
}

async function seed(url: string, schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(`CREATE TABLE ${s}.users (id bigserial PRIMARY KEY, user_email text NOT NULL)`);
      await client.query(
        `INSERT INTO ${s}.users (user_email) SELECT 'u' || g || '@x.com' FROM generate_series(1, ${ROWS}) g`,
      );
      await client.query(`ANALYZE ${s}.users`);
    }
  } finally {
    await client.end();
  }
}

const fleetEntry = (t: Target) => (t.schema ? { databaseUrl: t.url, schemas: [t.schema] } : t.url);

/** What a user would write: one `zdm advance` per target, a tenant schema through search_path and its own state schema. */
function loopScript(targets: Target[], flags: string[]): string {
  const lines = targets.map((t) => {
    const url = t.schema ? `${t.url}?options=-c%20search_path%3D${t.schema}` : t.url;
    const state = t.schema ? ` --state-schema zdm_${t.schema}` : '';
    return `node ${BIN} advance --until contract --database-url '${url}'${state} ${flags.join(' ')} >/dev/null`;
  });
  return `set -e\n${lines.join('\n')}\n`;
}

function report(fleetS: number, loopS: number, loads: string[]): void {
  const targets = DBS + SCHEMAS;
  const env = `ZDM_BENCH_FLEET_DBS=${DBS} ZDM_BENCH_FLEET_SCHEMAS=${SCHEMAS} ZDM_BENCH_FLEET_ROWS=${ROWS} ZDM_BENCH_FLEET_CONCURRENCY=${CONCURRENCY}`;
  writeSection(
    'fleet',
    [
      `## Fleet: \`zdm fleet advance\` vs a shell loop of \`zdm advance\` (issue 14)`,
      '',
      `${DBS} databases and ${SCHEMAS} tenant schemas of one database on one server (embedded primary + streaming replica),`,
      `a rename with backfill (${fmt(ROWS)} rows) in each, to contract; each side on its own identical targets, same run.`,
      `Command: \`${env} npm run bench -- fleet\`, ${new Date().toISOString().slice(0, 10)}, ${machine()}.`,
      `Load average (1 / 5 / 15 min; 2 cores shared with other sessions): ${loads[0]} before the fleet side, ${loads[1]} after it (before the loop), ${loads[2]} after the loop. Absolute times are inflated by that load; compare the ratio.`,
      '',
      '| side | targets | wall time | per target |',
      '| --- | --- | --- | --- |',
      `| \`zdm fleet advance --until contract --concurrency ${CONCURRENCY}\` | ${targets} | ${fmt(fleetS, 1)} s | ${fmt(fleetS / targets, 2)} s |`,
      `| sequential \`for t in ...; do zdm advance --until contract; done\` | ${targets} | ${fmt(loopS, 1)} s | ${fmt(loopS / targets, 2)} s |`,
      '',
      `Fleet / loop: ${fmt(fleetS / loopS, 2)}x the wall time.`,
    ].join('\n'),
  );
  process.stderr.write(`fleet ${fleetS.toFixed(1)} s, loop ${loopS.toFixed(1)} s\n`);
}

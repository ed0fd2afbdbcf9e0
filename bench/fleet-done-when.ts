/**
 * Issue 14's done-when run, at its size: `zdm fleet advance --until contract --canary 1
 * --concurrency 4` over DBS databases + SCHEMAS tenant schemas of one database (embedded primary +
 * streaming replica), an old-app writer on every target the whole time; the fleet run is killed
 * (SIGKILL) once KILL_AFTER targets are complete and run again; one target has a row that breaks
 * the migration's CHECK, is reported, and `zdm fleet rollback` undoes it. Prints the evidence and
 * writes the `fleet-done-when` section of BENCHMARKS.md. Not part of `npm run bench` (a check, not a
 * timing comparison):
 *
 *   npm run build && npx tsx bench/fleet-done-when.ts
 *   (ZDM_FLEET_DBS=20 ZDM_FLEET_SCHEMAS=30 ZDM_FLEET_ROWS=2000 ZDM_FLEET_KILL_AFTER=20)
 *
 * The migration renames users.user_email (with a backfill) and adds a CHECK on payments (NOT VALID,
 * then VALIDATE). The old app writes payments (inserts and updates) through every phase. It does
 * not write users.user_email: a rename's contract drops the old name, so zdm's model (README,
 * "Phases") has the old app gone before contract, and one fleet run to contract has no point at
 * which to stop it per target.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startClients, type AppClient } from '../src/demo/app-client.js';
import { startCluster } from '../src/embedded/cluster.js';
import { fmt, loadAverage, machine, writeSection } from './report.js';

const DBS = Number(process.env.ZDM_FLEET_DBS ?? 20);
const SCHEMAS = Number(process.env.ZDM_FLEET_SCHEMAS ?? 30);
const ROWS = Number(process.env.ZDM_FLEET_ROWS ?? 2000);
const KILL_AFTER = Number(process.env.ZDM_FLEET_KILL_AFTER ?? 20);
const BAD = 'db_7';
const BIN = path.resolve('bin/zdm.js');

interface Target {
  name: string;
  url: string;
  schema: string;
  state: string;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  s: number;
}

function zdm(args: string[], cwd: string, onSpawn?: (kill: () => void) => void): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ZDM_LOG_LEVEL: 'error' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, s: (performance.now() - started) / 1000 }));
    onSpawn?.(() => child.kill('SIGKILL'));
  });
}

async function createTargets(url: (db?: string) => string): Promise<Target[]> {
  const admin = new pg.Client({ connectionString: url() });
  await admin.connect();
  const targets: Target[] = [];
  try {
    for (let i = 1; i <= DBS; i++) {
      await admin.query(`CREATE DATABASE db_${i}`);
      await seed(url(`db_${i}`), ['public'], `db_${i}` === BAD);
      targets.push({ name: `db_${i}`, url: url(`db_${i}`), schema: 'public', state: 'zdm' });
    }
    await admin.query(`CREATE DATABASE tenants`);
    const schemas = Array.from({ length: SCHEMAS }, (_, i) => `tenant_${i + 1}`);
    await seed(url('tenants'), schemas, false);
    for (const s of schemas) targets.push({ name: `tenants#${s}`, url: url('tenants'), schema: s, state: `zdm_${s}` });
  } finally {
    await admin.end();
  }
  return targets;
}

async function seed(url: string, schemas: string[], bad: boolean): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const s of schemas) {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await c.query(`CREATE TABLE ${s}.users (id bigserial PRIMARY KEY, user_email text NOT NULL)`);
      await c.query(
        `INSERT INTO ${s}.users (user_email) SELECT 'u' || g || '@x.com' FROM generate_series(1, ${ROWS}) g`,
      );
      await c.query(`CREATE TABLE ${s}.payments (id bigserial PRIMARY KEY, amount numeric NOT NULL)`);
      await c.query(`INSERT INTO ${s}.payments (amount) SELECT g FROM generate_series(1, 100) g`);
      if (bad) await c.query(`UPDATE ${s}.payments SET amount = -5 WHERE id = 99`);
      await c.query(`ANALYZE ${s}.users`);
    }
  } finally {
    await c.end();
  }
}

/** The old app: inserts payments and raises amounts of the first 50 rows (never row 99), one connection. */
function oldApp(t: Target): AppClient {
  return startClients({
    url: t.url,
    name: t.name,
    connections: 1,
    thinkMs: 20,
    step: (client, i) =>
      i % 2
        ? client.query(`INSERT INTO ${t.schema}.payments (amount) VALUES (1 + floor(random() * 100))`)
        : client.query(`UPDATE ${t.schema}.payments SET amount = amount + 1 WHERE id = 1 + (random() * 49)::int`),
  });
}

async function completed(targets: Target[]): Promise<number> {
  let n = 0;
  for (const t of targets) {
    const c = new pg.Client({ connectionString: t.url });
    await c.connect();
    try {
      const r = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'migrations'`,
        [t.state],
      );
      if (r.rows[0]!.n) {
        const m = await c.query(`SELECT 1 FROM ${t.state}.migrations WHERE status = 'complete'`);
        n += m.rowCount ?? 0;
      }
    } finally {
      await c.end();
    }
  }
  return n;
}

async function usersColumns(t: Target): Promise<string[]> {
  const c = new pg.Client({ connectionString: t.url });
  await c.connect();
  try {
    const r = await c.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'users' ORDER BY ordinal_position`,
      [t.schema],
    );
    return r.rows.map((x) => x.column_name);
  } finally {
    await c.end();
  }
}

interface Summary {
  summary: Record<string, number>;
  targets: { target: string; status: string; note: string; error: string | null }[];
}

async function main(): Promise<void> {
  const loads = [loadAverage()];
  const cluster = await startCluster({});
  const apps: AppClient[] = [];
  try {
    const dir = await mkdtemp(path.join(cluster.dir, 'fleet-done-when-'));
    await mkdir(path.join(dir, 'migrations'));
    await writeFile(
      path.join(dir, 'migrations/0001_rename_and_check.json'),
      JSON.stringify({
        operations: [
          { op: 'renameColumn', table: 'users', from: 'user_email', to: 'email' },
          { op: 'addCheck', table: 'payments', name: 'payments_amount_positive', expression: 'amount > 0' },
        ],
      }),
    );
    const targets = await createTargets(cluster.primary.url);
    await writeFile(
      path.join(dir, 'zdm.fleet.json'),
      JSON.stringify({
        targets: [
          ...targets.filter((t) => t.schema === 'public').map((t) => ({ name: t.name, databaseUrl: t.url })),
          {
            name: 'tenants',
            databaseUrl: cluster.primary.url('tenants'),
            schemasQuery: `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' ORDER BY length(nspname), nspname`,
          },
        ],
      }),
    );
    for (const t of targets) apps.push(oldApp(t));
    const advance = ['fleet', 'advance', '--until', 'contract', '--canary', '1', '--concurrency', '4'];
    const flags = ['--on-failure', 'continue', '--lock-timeout', '2s', '--json'];

    let killedAt = -1;
    const first = await zdm([...advance, ...flags], dir, (kill) => {
      void (async () => {
        for (;;) {
          await sleep(1000);
          const n = await completed(targets);
          if (n >= KILL_AFTER) {
            killedAt = n;
            kill();
            return;
          }
        }
      })();
    });
    const afterKill = await completed(targets);
    const second = await zdm([...advance, ...flags], dir);
    const report = JSON.parse(second.stdout) as Summary;
    const failed = report.targets.filter((t) => t.status === 'failed');
    const rollback = await zdm(['fleet', 'rollback', '--json'], dir);
    const rolled = (JSON.parse(rollback.stdout) as Summary).targets.filter((t) => t.note.startsWith('rolled back'));
    const badColumns = await usersColumns(targets.find((t) => t.name === BAD)!);
    const doneColumns = await Promise.all(targets.filter((t) => t.name !== BAD).map(usersColumns));
    loads.push(loadAverage());
    const stats = await Promise.all(apps.splice(0).map((a) => a.stop()));
    const ops = stats.reduce((n, s) => n + s.ops, 0);
    const errors = stats.flatMap((s) => s.errors);
    const idle = stats.filter((s) => s.ops === 0).length;

    const lines = [
      `## Fleet: issue 14's done-when run`,
      '',
      `\`npx tsx bench/fleet-done-when.ts\` (ZDM_FLEET_DBS=${DBS} ZDM_FLEET_SCHEMAS=${SCHEMAS} ZDM_FLEET_ROWS=${ROWS} ZDM_FLEET_KILL_AFTER=${KILL_AFTER}), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machine()}; embedded PostgreSQL primary + streaming replica, ${DBS} databases + ${SCHEMAS} tenant schemas of one more database (listed by \`schemasQuery\`), ${fmt(ROWS)} users rows each. Load average (1 / 5 / 15 min; 2 cores shared with other sessions) ${loads[0]} before, ${loads[1]} after.`,
      `Migration: \`renameColumn users.user_email → email\` (backfill) + \`addCheck payments amount > 0\`; target \`${BAD}\` has a payment of -5. An old-app writer per target (one connection, insert + update of payments) ran from before the first fleet command to after the rollback. It does not write \`users.user_email\`: a rename's contract drops the old name, and zdm has the old app gone before contract.`,
      '',
      `| step | command | exit | wall time | result |`,
      `| --- | --- | --- | --- | --- |`,
      `| 1 | \`zdm fleet ${advance.slice(1).join(' ')} --on-failure continue\`, SIGKILLed once a scan of the targets' state counted ${KILL_AFTER} complete | killed (${first.code ?? 'signal'}) | ${fmt(first.s, 1)} s | the scan that sent the kill counted ${killedAt} complete; ${afterKill} after the kill (targets that finished while the scan was reading the others) |`,
      `| 2 | the same command again | ${second.code} | ${fmt(second.s, 1)} s | ${Object.entries(report.summary)
        .filter(([k]) => k !== 'ms')
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; failed: ${failed.map((f) => `${f.target} (${f.error?.split('\n')[0]})`).join('; ')} |`,
      `| 3 | \`zdm fleet rollback\` | ${rollback.code} | ${fmt(rollback.s, 1)} s | rolled back: ${rolled.map((r) => r.target).join(', ') || 'none'}; \`${BAD}\`.users columns after: ${badColumns.join(', ')} |`,
      '',
      `Targets other than \`${BAD}\` with users columns \`id, email\` after step 2: ${doneColumns.filter((c) => c.join() === 'id,email').length}/${doneColumns.length}. Old app: ${fmt(ops)} operations over ${stats.length} targets (${idle} targets with none), **${errors.length} errors**${errors.length ? `: ${errors.slice(0, 3).join('; ')}` : ''}.`,
    ];
    writeSection('fleet-done-when', lines.join('\n'));
    process.stdout.write(`${lines.join('\n')}\n`);
    if (second.code !== 1 || failed.length !== 1 || errors.length) process.exitCode = 1;
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    await cluster.stop();
  }
}

await main();

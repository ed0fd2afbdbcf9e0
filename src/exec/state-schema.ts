import type pg from 'pg';
import { quoteIdent } from '../db/quote.js';
import { checkStateAccess } from './state-access.js';
import { inTransaction } from './transaction.js';

/**
 * DDL of zdm's own state, as numbered versions applied in order (so later releases can add
 * tables without a separate tool). The database enforces the invariants: one active migration per
 * target schema (partial unique index), unique step ids per migration (primary key).
 */
function stateMigrations(schema: string): string[][] {
  const s = quoteIdent(schema);
  return [[...migrationTables(s), ...backfillAndAuditTables(s)], parallelBackfillTables(s), [liveProgressColumn(s)]];
}

/** v1: the migrations, the schemas each one targets, and their steps. */
function migrationTables(s: string): string[] {
  return [
    `CREATE TABLE ${s}.migrations (
         name text PRIMARY KEY,
         file text NOT NULL,
         checksum text NOT NULL,
         status text NOT NULL CHECK (status IN ('active', 'complete', 'rolled_back')),
         phase text CHECK (phase IN ('expand', 'backfill', 'switch', 'contract')),
         current_phase text CHECK (current_phase IN ('expand', 'backfill', 'switch', 'contract')),
         plan jsonb NOT NULL,
         paused boolean NOT NULL DEFAULT false,
         pause_reason text,
         control jsonb NOT NULL DEFAULT '{}',
         last_error text,
         started_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         finished_at timestamptz
       )`,
    `COMMENT ON TABLE ${s}.migrations IS 'zdm: one row per migration file that has been activated; ` +
      `phase is the last completed phase'`,
    `CREATE TABLE ${s}.migration_targets (
         migration text NOT NULL REFERENCES ${s}.migrations (name) ON DELETE CASCADE,
         schema_name text NOT NULL,
         active boolean NOT NULL,
         PRIMARY KEY (migration, schema_name)
       )`,
    `CREATE UNIQUE INDEX migration_targets_one_active_per_schema ON ${s}.migration_targets (schema_name) WHERE active`,
    `CREATE TABLE ${s}.steps (
         migration text NOT NULL REFERENCES ${s}.migrations (name) ON DELETE CASCADE,
         step_id text NOT NULL,
         phase text NOT NULL,
         status text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'undone')),
         attempts integer NOT NULL DEFAULT 0,
         error text,
         started_at timestamptz,
         finished_at timestamptz,
         PRIMARY KEY (migration, step_id)
       )`,
  ];
}

/** v1: each backfill step's cursor and counts, and the audit log. */
function backfillAndAuditTables(s: string): string[] {
  return [
    `CREATE TABLE ${s}.backfills (
         migration text NOT NULL REFERENCES ${s}.migrations (name) ON DELETE CASCADE,
         step_id text NOT NULL,
         table_name text NOT NULL,
         last_key jsonb,
         rows_updated bigint NOT NULL DEFAULT 0,
         rows_scanned bigint NOT NULL DEFAULT 0,
         batches integer NOT NULL DEFAULT 0,
         batch_size integer NOT NULL,
         total_estimate bigint,
         done boolean NOT NULL DEFAULT false,
         started_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (migration, step_id)
       )`,
    `CREATE TABLE ${s}.audit_log (
         id bigserial PRIMARY KEY,
         at timestamptz NOT NULL DEFAULT now(),
         migration text,
         action text NOT NULL,
         phase text,
         step_id text,
         outcome text NOT NULL,
         actor text NOT NULL,
         host text NOT NULL,
         pid integer NOT NULL,
         db_user text NOT NULL DEFAULT current_user,
         zdm_version text NOT NULL,
         checksum text,
         detail jsonb
       )`,
    `CREATE INDEX audit_log_migration ON ${s}.audit_log (migration, at)`,
  ];
}

/** v2: backfill chunks for parallel workers, and the replication heartbeat. */
function parallelBackfillTables(s: string): string[] {
  return [
    // Parallel backfills: the key range of one backfill step split into chunks that workers
    // (threads of one runner, or other `zdm advance --join` processes) claim with
    // FOR UPDATE SKIP LOCKED. A claim is live while its worker's backend (claimed_pid) is
    // connected and it renewed claimed_at within the lease; each chunk keeps its own cursor.
    `CREATE TABLE ${s}.backfill_chunks (
         migration text NOT NULL,
         step_id text NOT NULL,
         chunk integer NOT NULL,
         lo jsonb,
         hi jsonb,
         last_key jsonb,
         rows_updated bigint NOT NULL DEFAULT 0,
         rows_scanned bigint NOT NULL DEFAULT 0,
         batches integer NOT NULL DEFAULT 0,
         done boolean NOT NULL DEFAULT false,
         claimed_by text,
         claimed_pid integer,
         claimed_at timestamptz,
         PRIMARY KEY (migration, step_id, chunk),
         FOREIGN KEY (migration, step_id) REFERENCES ${s}.backfills (migration, step_id) ON DELETE CASCADE
       )`,
    // gh-ost's heartbeat: written on the primary while zdm runs, read on each replica; the
    // replica's now() minus the replayed value is its time lag, on any managed service.
    `CREATE TABLE ${s}.heartbeat (
         id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
         beat_at timestamptz NOT NULL,
         written_by text NOT NULL
       )`,
  ];
}

/**
 * v3: what a running backfill shows on its progress bar (rate, ETA, lag, pause reason), for
 * zdm status in another process; written at most once a second, outside the batches.
 */
function liveProgressColumn(s: string): string {
  return `ALTER TABLE ${s}.backfills ADD COLUMN live jsonb`;
}

/** Creates or upgrades the state schema; concurrent runners serialise on a transaction lock. */
export async function ensureStateSchema(client: pg.PoolClient | pg.Client, schema: string): Promise<void> {
  await checkStateAccess(client, schema, 'write');
  const s = quoteIdent(schema);
  const migrations = stateMigrations(schema);
  const { rows: present } = await client.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
    `${s}.state_version`,
  ]);
  if (present[0]?.ok) {
    const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.state_version`);
    if ((rows[0]?.v ?? 0) >= migrations.length) return;
  }
  await inTransaction(client, async () => {
    await client.query(`SELECT pg_advisory_xact_lock(8021101, 0)`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.state_version (version integer PRIMARY KEY, applied_at ` +
        `timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.state_version`);
    for (let v = (rows[0]?.v ?? 0) + 1; v <= migrations.length; v++) {
      for (const statement of migrations[v - 1]!) await client.query(statement);
      await client.query(`INSERT INTO ${s}.state_version (version) VALUES ($1)`, [v]);
    }
  });
}

/** Whether zdm's state tables exist (read-only callers must not create them). */
export async function stateExists(on: pg.Pool | pg.ClientBase, schema: string): Promise<boolean> {
  await checkStateAccess(on, schema, 'read');
  const { rows } = await on.query<{ ok: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS ok`, [
    `${quoteIdent(schema)}.migrations`,
  ]);
  return rows[0]?.ok ?? false;
}

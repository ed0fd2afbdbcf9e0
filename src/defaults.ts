/**
 * Safety defaults, as named constants. Flags override env, env overrides zdm.config.json, and that
 * overrides these (src/config/resolve.ts).
 */

/** How long DDL waits for a lock before giving up and retrying (SET lock_timeout). Application
 * queries queue behind a waiting ACCESS EXCLUSIVE request, so this bounds how long they can stall. */
export const DEFAULT_LOCK_TIMEOUT_MS = 2_000;
/** Attempts for a step whose lock wait timed out, with exponential backoff and jitter in between. */
export const DEFAULT_LOCK_RETRIES = 30;
export const RETRY_BASE_DELAY_MS = 200;
export const RETRY_MAX_DELAY_MS = 10_000;

/** Replica lag above which backfill batches and phase transitions wait. */
export const DEFAULT_MAX_LAG_MS = 1_000;
export const DEFAULT_MAX_LAG_BYTES = 64 * 1024 * 1024;
/** Lag must fall below this fraction of the limit before a paused backfill resumes (hysteresis). */
export const LAG_RESUME_FRACTION = 0.5;
/** A backfill pauses while a transaction (not zdm's, not idle) has been open longer than this:
 * the dead row versions the backfill leaves cannot be vacuumed while it runs, so bloat would grow
 * with every batch. Ten minutes lets ordinary reports and batch jobs pass; 0 disables the check. */
export const DEFAULT_MAX_XACT_AGE_MS = 10 * 60_000;
/** Lock-wait, transaction-age and throttle-query readings are reused for this long between batches. */
export const SIGNAL_CACHE_MS = 500;
/** Phase-transition gates sample lag this many times over at least this long: lag can appear
 * after a backfill, when vacuum of its dead rows conflicts with replica queries. */
export const GATE_SAMPLES = 5;
export const GATE_SAMPLE_WINDOW_MS = 1_000;
/** Pause between two sample windows while a phase gate stays closed. */
export const GATE_RETRY_MS = 1_000;
/** How long `zdm advance` waits on a closed gate before it exits with the "waiting" code. */
export const DEFAULT_GATE_TIMEOUT_MS = 60_000;

/** First backfill batch size (rows); the adaptive sizer moves it toward the target batch time. */
export const DEFAULT_BATCH_SIZE = 5_000;
export const MIN_BATCH_SIZE = 100;
export const MAX_BATCH_SIZE = 100_000;
export const DEFAULT_TARGET_BATCH_MS = 200;
/** Largest share of --max-lag-bytes one batch (all workers together) may write as WAL, from the
 * WAL estimate per row: with 16MB and ~650 B/row, batches of at most ~6,400 rows. */
export const BATCH_WAL_SHARE = 0.25;
/** statement_timeout for one backfill batch, as a multiple of the target batch time (at least 10 s). */
export const BATCH_STATEMENT_TIMEOUT_FACTOR = 25;

/** Largest migration file zdm reads: a bigger one is refused before parsing (a 50 MB file took
 * 14 s and 1.9 GB of memory to parse and refuse). Migrations describe schema changes, not data. */
export const MAX_MIGRATION_FILE_BYTES = 2 * 1024 * 1024;

export const DEFAULT_STATE_SCHEMA = 'zdm';
export const DEFAULT_MIGRATIONS_DIR = './migrations';
export const CONFIG_FILE = 'zdm.config.json';

/** Rows `zdm plan --rehearse` samples from each table it recreates. */
export const DEFAULT_REHEARSE_ROWS = 5000;

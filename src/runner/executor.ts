import type pg from 'pg';
import { displayName, quoteQualified, type QualifiedName } from '../db/quote.js';
import { assertNever, errorMessage, StepFailedError } from '../errors.js';
import { runBackfill } from '../backfill/run.js';
import { verifySql } from '../plan/describe.js';
import type { BackfillStep, CreateIndexStep, Step, Undo, VerifyStep } from '../plan/types.js';
import type { RunnerContext } from '../exec/context.js';
import { sqlState, withLockRetry } from '../exec/retry.js';
import { inTransaction, withClient } from '../exec/transaction.js';

/**
 * The one place that runs a plan's SQL. Every step is recorded in zdm.steps: a transactional step
 * in the same transaction as its statements (so it runs exactly once); a non-transactional one as
 * 'running' before and 'done' after, with statements written to be safely re-run.
 */
export async function executeStep(step: Step, migration: string, ctx: RunnerContext): Promise<void> {
  await ctx.observer?.stepStarting(step, false);
  try {
    await runStep(step, migration, ctx);
  } finally {
    await ctx.observer?.stepEnded(step, false);
  }
}

async function runStep(step: Step, migration: string, ctx: RunnerContext): Promise<void> {
  switch (step.kind) {
    case 'sql':
      if (!step.transactional) await ctx.state.stepStarted(ctx.conn.pool, migration, step.id, step.phase);
      await runStatements(step, step, migration, ctx, 'done');
      return;
    case 'create-index':
      return runCreateIndex(step, migration, ctx);
    case 'verify':
      return runVerify(step, migration, ctx);
    case 'backfill':
      return runBackfill(step, migration, ctx);
    default:
      return assertNever(step, 'step kind');
  }
}

/**
 * `zdm advance --join`: works on chunks of a parallel backfill another runner started, under the
 * same gates; it neither starts nor finishes the step.
 */
export function joinBackfillStep(step: BackfillStep, migration: string, ctx: RunnerContext): Promise<void> {
  return runBackfill(step, migration, ctx, { join: true });
}

/**
 * Runs a step's statements (or its undo's) with lock_timeout, retried on lock timeouts. In one
 * transaction that also records the step as `status`, or outside a transaction statement by
 * statement, recorded after the last one.
 */
async function runStatements(
  step: Step,
  sql: { statements: string[]; transactional: boolean },
  migration: string,
  ctx: RunnerContext,
  status: 'done' | 'undone',
): Promise<void> {
  const pool = ctx.conn.pool;
  const lockTimeout = `${ctx.settings.lockTimeoutMs}ms`;
  const attempts = await retrying(step, migration, ctx, shortWaitMs(sql.statements), () =>
    withClient(pool, async (session) => {
      await ctx.observer?.session(step, session);
      if (!sql.transactional) {
        await session.query(`SELECT set_config('lock_timeout', $1, false)`, [lockTimeout]);
        for (const statement of sql.statements) await session.query(statement);
        await ctx.observer?.sessionDone(step, session);
        return;
      }
      await inTransaction(session, async (client) => {
        await client.query(`SELECT set_config('lock_timeout', $1, true)`, [lockTimeout]);
        for (const statement of sql.statements) await client.query(statement);
        await ctx.observer?.beforeCommit(step, client);
        await ctx.state.stepFinished(client, migration, step.id, step.phase, status);
      });
      await ctx.observer?.sessionDone(step, session);
    }),
  );
  if (!sql.transactional) await ctx.state.stepFinished(pool, migration, step.id, step.phase, status);
  else ctx.log.debug({ step: step.id, attempts }, 'step committed');
}

/**
 * CREATE INDEX CONCURRENTLY. It takes SHARE UPDATE EXCLUSIVE, which no application DML waits for,
 * so it runs without lock_timeout (it waits for older transactions to finish, by design). A build
 * that fails leaves an INVALID index: it is detected and dropped before the next attempt, and a
 * valid index already built by an interrupted run is kept.
 */
async function runCreateIndex(step: CreateIndexStep, migration: string, ctx: RunnerContext): Promise<void> {
  await ctx.state.stepStarted(ctx.conn.pool, migration, step.id, step.phase);
  await retrying(step, migration, ctx, undefined, () =>
    withClient(ctx.conn.pool, async (client) => {
      await client.query(`SELECT set_config('lock_timeout', '0', false), set_config('statement_timeout', '0', false)`);
      await ctx.observer?.session(step, client);
      const before = await indexState(client, step.index, step.table);
      if (before === 'valid') return;
      if (before === 'invalid') {
        ctx.log.warn(
          { step: step.id, index: displayName(step.index) },
          'dropping INVALID index left by an earlier failed build',
        );
        await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified(step.index)}`);
      }
      if (before === 'other-table')
        throw new Error(
          `an index named ${displayName(step.index)} already exists on another table; rename it or choose another name`,
        );
      try {
        await client.query(step.statement);
      } catch (err) {
        if ((await indexState(client, step.index, step.table)) === 'invalid') {
          await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${quoteQualified(step.index)}`);
        }
        throw err;
      }
      await ctx.observer?.sessionDone(step, client);
      const after = await indexState(client, step.index, step.table);
      if (after !== 'valid')
        throw new Error(`index ${displayName(step.index)} is ${after} after CREATE INDEX CONCURRENTLY`);
    }),
  );
  await ctx.state.stepFinished(ctx.conn.pool, migration, step.id, step.phase, 'done');
}

async function indexState(
  client: pg.PoolClient,
  index: QualifiedName,
  table: QualifiedName,
): Promise<'missing' | 'valid' | 'invalid' | 'other-table'> {
  const { rows } = await client.query<{ valid: boolean; same: boolean }>(
    `SELECT i.indisvalid AND i.indisready AS valid, i.indrelid = to_regclass($2) AS same
       FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
    [quoteQualified(index), quoteQualified(table)],
  );
  const row = rows[0];
  if (!row) return 'missing';
  if (!row.same) return 'other-table';
  return row.valid ? 'valid' : 'invalid';
}

/** Reads the rows that violate the step's condition; any row fails the step, with a sample. */
async function runVerify(step: VerifyStep, migration: string, ctx: RunnerContext): Promise<void> {
  await ctx.state.stepStarted(ctx.conn.pool, migration, step.id, step.phase);
  // In a transaction of its own session, so an observer sees the locks it holds before they go.
  const rows = await withClient(ctx.conn.pool, async (session) => {
    await ctx.observer?.session(step, session);
    const result = await inTransaction(session, async (client) => {
      if (step.index) await client.query(`SET LOCAL enable_seqscan = off`);
      const r = await client.query(verifySql(step));
      await ctx.observer?.beforeCommit(step, client);
      return r.rows;
    });
    await ctx.observer?.sessionDone(step, session);
    return result;
  });
  if (rows.length > 0) {
    const sample = rows.map((r) => JSON.stringify(r)).join('\n  ');
    const message =
      `${step.message}; sample (up to 10):\n  ${sample}\nThe migration stays at this ` +
      `phase: fix the data and run \`zdm advance\` again, or \`zdm rollback\``;
    await ctx.state.stepFinished(ctx.conn.pool, migration, step.id, step.phase, 'failed', message);
    throw new StepFailedError(step.id, message);
  }
  await ctx.state.stepFinished(ctx.conn.pool, migration, step.id, step.phase, 'done');
}

/** Runs a step's undo (rollback); idempotent by construction. */
export async function executeUndo(step: Step, undo: Undo, migration: string, ctx: RunnerContext): Promise<void> {
  await ctx.observer?.stepStarting(step, true);
  try {
    await runStatements(step, undo, migration, ctx, 'undone');
  } finally {
    await ctx.observer?.stepEnded(step, true);
  }
}

/**
 * The lock wait a step sets itself with a first `SET LOCAL lock_timeout = 'Nms'` below the
 * configured one (a partition's lock, which an application statement may request half-way:
 * operations/support/partitions.ts SHORT_LOCK_WAIT).
 */
function shortWaitMs(statements: string[]): number | undefined {
  const match = /^SET LOCAL lock_timeout = '(\d+)ms'$/.exec(statements[0] ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Retries lock timeouts with backoff; any other error is recorded on the step and rethrown typed.
 * A step that waits `waitMs`, shorter than lock_timeout, gets proportionally more attempts (at
 * most 5x): each blocks applications that much less, and under load a short wait often misses.
 */
async function retrying(
  step: Step,
  migration: string,
  ctx: RunnerContext,
  waitMs: number | undefined,
  fn: () => Promise<void>,
): Promise<number> {
  const wait = waitMs !== undefined && waitMs < ctx.settings.lockTimeoutMs ? waitMs : ctx.settings.lockTimeoutMs;
  const factor = wait > 0 ? Math.max(1, Math.min(5, Math.floor(ctx.settings.lockTimeoutMs / wait))) : 1;
  const retries = ctx.settings.lockRetries * factor;
  let attempts = 0;
  try {
    await withLockRetry(
      async (attempt) => {
        attempts = attempt;
        await fn();
      },
      {
        retries,
        signal: ctx.signal,
        onRetry: async ({ attempt, delayMs }) => {
          const blockers = await lockBlockers(
            ctx,
            step.impact.locks.map((l) => l.relation),
          );
          ctx.emit({ type: 'lock-retry', migration, stepId: step.id, attempt, delayMs, blockers });
          ctx.log.warn({ step: step.id, attempt, delayMs, blockers }, `lock not granted within ${wait}ms; retrying`);
        },
      },
    );
    return attempts;
  } catch (err) {
    const timedOut = sqlState(err) === '55P03';
    const message = timedOut
      ? `could not get its lock within lock_timeout ${wait}ms after ${attempts} attempts (${
          (
            await lockBlockers(
              ctx,
              step.impact.locks.map((l) => l.relation),
            )
          ).join('; ') || 'holder gone'
        }); nothing was applied, run zdm advance again when the blocking sessions are done`
      : errorMessage(err);
    await ctx.state
      .stepFinished(ctx.conn.pool, migration, step.id, step.phase, 'failed', message)
      .catch(() => undefined);
    throw new StepFailedError(step.id, message, { cause: err });
  }
}

/** Sessions holding locks on the step's tables: named in retry warnings and failure messages. */
async function lockBlockers(ctx: RunnerContext, relations: QualifiedName[]): Promise<string[]> {
  if (relations.length === 0) return [];
  try {
    const { rows } = await ctx.conn.pool.query<{
      pid: number;
      app: string;
      state: string;
      xact_start: Date | null;
      mode: string;
      rel: string;
      query: string;
    }>(
      `SELECT DISTINCT l.pid, a.application_name AS app, a.state, a.xact_start, l.mode, l.relation::regclass::text AS rel, left(a.query, 120) AS query
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.granted AND l.pid <> pg_backend_pid() AND l.relation = ANY($1::regclass[])
          AND a.application_name NOT LIKE 'zdm %'
        ORDER BY a.xact_start NULLS LAST LIMIT 5`,
      [relations.map(quoteQualified)],
    );
    return rows.map(
      (r) =>
        `pid ${r.pid} (${r.app || 'no application_name'}, ${r.state}${r.xact_start ? ` since ${r.xact_start.toISOString()}` : ''}) ` +
        `holds ${r.mode} on ${r.rel}: ${r.query}`,
    );
  } catch {
    return [];
  }
}

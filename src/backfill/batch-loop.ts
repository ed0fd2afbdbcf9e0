import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { displayName } from '../db/quote.js';
import { errorMessage, InterruptedError, StepFailedError } from '../errors.js';
import type { RunnerContext } from '../exec/context.js';
import { isRetryableLockError, sqlState } from '../exec/retry.js';
import { withClient } from '../exec/transaction.js';
import type { BackfillStep } from '../plan/types.js';
import { summarize } from '../replication/gate.js';
import { LostClaim, runBatch, type BatchResult } from './batch.js';
import type { BackfillThrottle } from './gates.js';
import type { ProgressReporter } from './progress.js';
import type { BatchSizer } from './sizer.js';
import type { ThrottleVerdict } from './throttle.js';
import type { WorkerSizing } from './worker-sizing.js';
import type { WorkRange, WorkSource } from './work-source.js';

/** Everything the batch loop works with; each part keeps its own state. */
export interface BatchLoopParts {
  ctx: RunnerContext;
  step: BackfillStep;
  migration: string;
  /** A joined process does not record the step's failure: the runner that started it does. */
  join: boolean;
  workers: number;
  source: WorkSource;
  throttle: BackfillThrottle;
  /** The operator's rate cap for this process, as last read (control.ts). */
  control: { readonly maxRowsPerSecond: number | undefined };
  progress: ProgressReporter;
  sizing: WorkerSizing;
  /** Backend pids of the workers' sessions: a session waiting on them is a lock wait the backfill causes. */
  sessionPids: Set<number>;
  statementTimeoutMs: number;
}

/** A committed batch, with how long it took and how many batches ran beside it. */
interface Committed {
  result: BatchResult;
  ms: number;
  overlap: number;
}

/**
 * The workers of one backfill: each takes key ranges from the work source and runs batches
 * through them until none is left, waiting on the throttle before each batch. The first worker
 * that fails stops the others at their next batch; its error is the run's.
 */
export class BatchLoop {
  private failed = false;

  constructor(private readonly parts: BatchLoopParts) {}

  async run(): Promise<void> {
    const workers = Array.from({ length: this.parts.workers }, (_, i) => this.worker(i));
    const outcomes = await Promise.allSettled(workers);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
  }

  /** One session per worker for all its batches: batches set only transaction-local settings
   * (SET LOCAL), and a new connection per batch would cost more than a small batch. */
  private async worker(index: number): Promise<void> {
    const { ctx, source, sizing, sessionPids } = this.parts;
    const worker = `${ctx.conn.applicationName}/w${index + 1}`;
    await withClient(ctx.conn.pool, async (session) => {
      try {
        sessionPids.add((await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
        await ctx.observer?.session(this.parts.step, session);
        for (;;) {
          if (this.stopping()) return;
          const range = await source.next(session, worker);
          if (range === undefined) return await ctx.observer?.sessionDone(this.parts.step, session);
          if (range === 'wait') await nap(500, ctx.signal);
          else await this.workRange(range, session, sizing.sizer(index), worker);
        }
      } catch (err) {
        this.failed = true;
        throw err;
      }
    });
  }

  private async workRange(range: WorkRange, session: pg.PoolClient, sizer: BatchSizer, worker: string): Promise<void> {
    const { throttle, progress, sizing, ctx, step } = this.parts;
    let cursor = range.cursor;
    let timeouts = 0;
    for (;;) {
      if (this.stopping()) return;
      const size = sizer.current;
      const batchWal = sizing.walOf(size);
      const verdict = await throttle.check(batchWal);
      if (!verdict.open) {
        progress.paused(verdict.reason, summarize(verdict.readings), sizer.current);
        await nap(250, ctx.signal);
        continue;
      }
      const pausedMs = progress.resumed();
      if (pausedMs !== undefined) ctx.log.info({ step: step.id, pausedMs }, 'backfill resumed');
      const retry = timeouts < ctx.settings.lockRetries;
      const outcome = await this.attempt({ range, session, sizer, worker, cursor, size, batchWal, retry });
      if (outcome === 'lost') return;
      if (outcome === 'retry') {
        timeouts++;
        continue;
      }
      timeouts = 0;
      cursor = outcome.result.hi ?? cursor;
      if (await this.committed(outcome, size, sizer, verdict)) return;
    }
  }

  /** Runs one batch: the committed batch, 'retry' (smaller, after a timeout) or 'lost' (the chunk was taken over). */
  private async attempt(a: {
    range: WorkRange;
    session: pg.PoolClient;
    sizer: BatchSizer;
    worker: string;
    cursor: string[] | null;
    size: number;
    batchWal: number;
    retry: boolean;
  }): Promise<Committed | 'retry' | 'lost'> {
    const { ctx, step, sizing, throttle, statementTimeoutMs } = this.parts;
    const started = performance.now();
    let result: BatchResult;
    let walEnd: number | undefined;
    let overlap = sizing.begin();
    try {
      result = await runBatch(ctx, a.session, step, a.range, a.cursor, a.size, statementTimeoutMs);
      walEnd = result.walEnd;
    } catch (err) {
      return this.failedBatch(err, a);
    } finally {
      overlap = sizing.end(overlap);
      throttle.done(a.batchWal, walEnd);
    }
    return { result, ms: performance.now() - started, overlap };
  }

  private async failedBatch(
    err: unknown,
    a: { range: WorkRange; sizer: BatchSizer; worker: string; cursor: string[] | null; size: number; retry: boolean },
  ): Promise<'retry' | 'lost'> {
    const { ctx, step, migration, join } = this.parts;
    if (err instanceof LostClaim) {
      ctx.log.warn(
        { step: step.id, worker: a.worker, range: a.range.label },
        'backfill chunk was taken over by another worker; leaving it',
      );
      return 'lost';
    }
    // A lock wait on a row the application holds, a row the application moved to another partition
    // meanwhile, or a batch over its statement timeout: halve the batch and try again (GitLab's
    // split-and-retry); give up after lockRetries.
    if ((isRetryableLockError(err) || sqlState(err) === '57014') && a.retry && !ctx.signal.aborted) {
      ctx.log.warn(
        { step: step.id, batchSize: a.size, next: a.sizer.shrink(), error: errorMessage(err) },
        'backfill batch failed (lock wait, moved row or timeout); retrying with a smaller batch',
      );
      return 'retry';
    }
    const message =
      `batch after key ${a.cursor ? JSON.stringify(a.cursor) : '(start)'} ` +
      `of ${a.size} rows (${a.range.label}) failed: ${errorMessage(err)}`;
    if (!join)
      await ctx.state
        .stepFinished(ctx.conn.pool, migration, step.id, step.phase, 'failed', message)
        .catch(() => undefined);
    throw new StepFailedError(
      step.id,
      `${message}. The cursor is saved: fix the cause and run zdm advance, or zdm rollback`,
      {
        cause: err,
      },
    );
  }

  /** Counts a committed batch, sizes the next, holds to the rate cap and reports; true at the range's end. */
  private async committed(c: Committed, size: number, sizer: BatchSizer, verdict: ThrottleVerdict): Promise<boolean> {
    const { progress, sizing, control, workers, ctx } = this.parts;
    const done = c.result.hi === null;
    const covered = done ? c.result.updated : size;
    progress.batchDone(covered, c.result.updated);
    sizing.observe(sizer, size, c.ms, c.result.updated, c.result.walBytes, c.overlap);
    // The rate cap is shared evenly by this process's workers. Progress is reported after the
    // cap's sleep, so the rate it shows counts the sleep (right after a batch it read high).
    const cap = control.maxRowsPerSecond;
    if (!done && cap) await nap(Math.max(0, (covered / (cap / workers)) * 1000 - c.ms), ctx.signal);
    progress.report(null, summarize(verdict.readings), c.ms, sizer.current);
    return done;
  }

  /** True once another worker failed; throws when the run is interrupted (the cursor is saved). */
  private stopping(): boolean {
    if (this.failed) return true;
    const { ctx, step, progress } = this.parts;
    if (ctx.signal.aborted)
      throw new InterruptedError(
        `during the backfill of ${displayName(step.table)} (cursor saved after batch ${progress.totals.batches})`,
      );
    return false;
  }
}

/** Sleeps, or returns early when the run is interrupted. */
function nap(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

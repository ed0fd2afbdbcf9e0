import { setTimeout as sleep } from 'node:timers/promises';
import { RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS } from '../defaults.js';

/**
 * SQLSTATEs worth retrying: the lock wait timed out (55P03), we were picked as a deadlock victim
 * (40P01), or a serialization failure (40001): among others "tuple to be locked was already moved to
 * another partition due to concurrent update", when the application moves a row across partitions
 * while a backfill batch locks it. Each rolled back the whole transaction, so running it again is safe.
 */
const RETRYABLE = new Set(['55P03', '40P01', '40001']);

export function isRetryableLockError(err: unknown): boolean {
  return RETRYABLE.has((err as { code?: string } | null)?.code ?? '');
}

export function sqlState(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

/** Exponential backoff with full jitter (so competing runners do not retry in lockstep). */
function backoffDelay(attempt: number, baseMs = RETRY_BASE_DELAY_MS, maxMs = RETRY_MAX_DELAY_MS): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export interface RetryOptions {
  retries: number;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; error: Error }) => void | Promise<void>;
}

/**
 * Runs `attempt` until it succeeds, retrying lock timeouts and deadlocks with backoff. Each attempt
 * waits at most lock_timeout for its lock, so application queries never queue behind us for
 * longer than that; between attempts they run freely.
 */
export async function withLockRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isRetryableLockError(err) || attempt > options.retries || options.signal?.aborted) throw err;
      const delayMs = backoffDelay(attempt);
      await options.onRetry?.({ attempt, delayMs, error: err as Error });
      await sleep(delayMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  }
}

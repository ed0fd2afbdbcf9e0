import { describe, expect, it } from 'vitest';
import { isRetryableLockError, withLockRetry } from '../../src/exec/retry.js';

function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('retrying transient errors', () => {
  it('retries lock timeouts, deadlocks and a row moved to another partition; not other errors', () => {
    expect(isRetryableLockError(pgError('55P03', 'canceling statement due to lock timeout'))).toBe(true);
    expect(isRetryableLockError(pgError('40P01', 'deadlock detected'))).toBe(true);
    const moved = 'tuple to be locked was already moved to another partition due to concurrent update';
    expect(isRetryableLockError(pgError('40001', moved))).toBe(true);
    expect(isRetryableLockError(pgError('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isRetryableLockError(new Error('no code'))).toBe(false);
  });

  it('runs the work again after a serialization failure and gives up on a constraint violation', async () => {
    let calls = 0;
    const result = await withLockRetry(
      async () => {
        calls++;
        if (calls === 1) throw pgError('40001', 'could not serialize access due to concurrent update');
        return 'done';
      },
      { retries: 3 },
    );
    expect([result, calls]).toEqual(['done', 2]);
    await expect(
      withLockRetry(
        async () => {
          throw pgError('23505', 'duplicate key');
        },
        { retries: 3 },
      ),
    ).rejects.toThrow('duplicate key');
  });
});

import { describe, expect, it } from 'vitest';
import { lagShort } from '../../src/cli/progress.js';

describe('the progress line lag field', () => {
  it('shows seconds/bytes, a problem, or an accepted warning instead of "?/?"', () => {
    expect(lagShort([])).toBe('-');
    expect(lagShort([{ replica: 'r1', seconds: 0.25, bytes: 3 * 1024 * 1024 }])).toBe('0.25s/3.0 MB');
    expect(
      lagShort([{ replica: 'db2:5432', seconds: null, bytes: null, problem: 'is unreachable (ECONNREFUSED)' }]),
    ).toBe('db2:5432: is unreachable (ECONNREFUSED)');
    expect(
      lagShort([
        {
          replica: 'db2:5432',
          seconds: null,
          bytes: null,
          warning: 'is unreachable; ignored because of --allow-missing-replica',
        },
      ]),
    ).toBe('db2:5432: is unreachable; ignored because of --allow-missing-replica');
  });
});

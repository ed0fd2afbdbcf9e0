import { describe, expect, it } from 'vitest';
import { decodePosition, encodePosition } from '../../src/backfill/partition-position.js';
import { remainingFrom } from '../../src/backfill/partition-walk.js';

const leaf = (name: string) => ({ schema: 'public', name });
const order = [leaf('t_a'), leaf('t_b0'), leaf('t_b1')];

describe('a partitioned table walk', () => {
  it('stores a position as the partition then the cursor within it; nothing after the name is its start', () => {
    expect(encodePosition(leaf('t_b0'), ['42', '2024-02-03'])).toEqual(['public', 't_b0', '42', '2024-02-03']);
    expect(decodePosition(['public', 't_b0', '42', '2024-02-03'])).toEqual({
      partition: leaf('t_b0'),
      cursor: ['42', '2024-02-03'],
    });
    expect(decodePosition(['public', 't_b1'])).toEqual({ partition: leaf('t_b1'), cursor: null });
    expect(decodePosition(null)).toBeNull();
  });

  it('resumes in the stored partition at its cursor, skipping the ones before', () => {
    expect(remainingFrom(order, decodePosition(['public', 't_b0', '42']))).toEqual({
      leaves: [leaf('t_b0'), leaf('t_b1')],
      cursor: ['42'],
    });
    expect(remainingFrom(order, null)).toEqual({ leaves: order, cursor: null });
  });

  it('starts over when the stored partition left the tree (the pending condition skips rows already done)', () => {
    expect(remainingFrom(order, decodePosition(['public', 't_gone', '7']))).toEqual({ leaves: order, cursor: null });
  });
});

import { describe, expect, it } from 'vitest';
import { estimateEta, RateMeter } from '../../src/backfill/rate.js';

describe('RateMeter', () => {
  it('measures rows over wall time in the window, pauses included', () => {
    const meter = new RateMeter(10_000);
    meter.start(0);
    meter.add(1000, 1000);
    meter.add(1000, 2000);
    expect(meter.perSecond(2000)).toBe(1000);
    // Paused for 2 s: the rate falls, so the ETA includes throttling.
    expect(meter.perSecond(4000)).toBe(500);
  });

  it('forgets batches older than the window', () => {
    const meter = new RateMeter(5_000);
    meter.start(0);
    for (let t = 1; t <= 10; t++) meter.add(t <= 4 ? 4000 : 1000, t * 1000);
    // The window now starts where the batch ending at 5 s began (4 s): the fast start is gone.
    expect(meter.perSecond(10_000)).toBe(1000);
  });

  it('counts a replica backlog that grows as rows written but not yet replayed', () => {
    const meter = new RateMeter(10_000);
    meter.start(0);
    meter.setBuffered(0);
    meter.add(1000, 1000);
    meter.setBuffered(500);
    meter.add(1000, 2000);
    meter.setBuffered(1000);
    expect(meter.perSecond(2000)).toBe(1000);
    expect(meter.replayedPerSecond(2000)).toBe(500);
    expect(meter.bufferedRows).toBe(1000);
    // While the backfill is paused the replica catches up: replay goes on, writing does not.
    meter.setBuffered(0);
    expect(meter.perSecond(4000)).toBe(500);
    expect(meter.replayedPerSecond(4000)).toBe(500);
  });

  it('without replicas, replayed equals written', () => {
    const meter = new RateMeter();
    meter.start(0);
    meter.add(3000, 1000);
    expect(meter.replayedPerSecond(1000)).toBe(meter.perSecond(1000));
  });
});

describe('estimateEta', () => {
  it('is remaining over the written rate when the replica keeps up', () => {
    expect(estimateEta(10_000, { written: 1000, replayed: 1000, bufferedRows: 0, limitRows: 500 })).toBe(10);
  });

  it('is the written rate while the backlog cannot reach the lag limit before the end', () => {
    // The backlog grows 100 rows/s, 9,000 rows of headroom: 90 s, more than the 10 s left.
    expect(estimateEta(10_000, { written: 1000, replayed: 900, bufferedRows: 1000, limitRows: 10_000 })).toBe(10);
  });

  it('holds the backfill to the replay rate once the backlog reaches the limit', () => {
    // 2,000 rows of headroom fill in 4 s (written 1,000/s, replayed 500/s); the other 6,000 rows at 500/s take 12 s.
    expect(estimateEta(10_000, { written: 1000, replayed: 500, bufferedRows: 3000, limitRows: 5000 })).toBe(16);
    // At the limit already: the replay rate alone.
    expect(estimateEta(10_000, { written: 1000, replayed: 500, bufferedRows: 5000, limitRows: 5000 })).toBe(20);
  });

  it('is 0 with nothing left and unknown before any rate', () => {
    expect(estimateEta(0, { written: 0, replayed: 0, bufferedRows: 0, limitRows: 0 })).toBe(0);
    expect(estimateEta(100, { written: 0, replayed: 0, bufferedRows: 0, limitRows: 0 })).toBeNull();
  });
});

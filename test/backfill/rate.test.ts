import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../src/backfill/rate.js';

describe('RateMeter (the rate behind the ETA)', () => {
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

  it('after a long pause, counts the rows since the resume over the window, not over the pause', () => {
    const meter = new RateMeter(10_000);
    meter.start(0);
    for (let t = 1; t <= 10; t++) meter.add(1000, t * 1000);
    // zdm pause for an hour: the rate falls to 0 once the window has passed.
    expect(meter.perSecond(10_000 + 3_600_000)).toBe(0);
    const resumed = 10_000 + 3_600_000;
    meter.add(1000, resumed + 1000);
    meter.add(1000, resumed + 2000);
    expect(meter.perSecond(resumed + 2000)).toBe(200);
    for (let t = 3; t <= 10; t++) meter.add(1000, resumed + t * 1000);
    expect(meter.perSecond(resumed + 10_000)).toBe(1000);
  });

  it('is 0 before the first batch', () => {
    const meter = new RateMeter();
    meter.start(0);
    expect(meter.perSecond(1000)).toBe(0);
  });
});

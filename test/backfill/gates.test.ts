import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeLockWaits, judgeXactAge, throttleValuePauses } from '../../src/backfill/signals.js';
import { Throttle } from '../../src/backfill/throttle.js';
import { WalMeter } from '../../src/backfill/wal-meter.js';
import { BatchSizer } from '../../src/backfill/sizer.js';
import { estimateWal, judgeWalRisk, settingBytes } from '../../src/backfill/wal-estimate.js';
import { rowWidth, walBytesPerRow } from '../../src/plan/wal-per-row.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { judgeLag, waitForLagGate } from '../../src/replication/gate.js';
import type { LagProbe, LagReading } from '../../src/replication/probe.js';

const MB = 1024 ** 2;
const limits = { maxLagMs: 1000, maxLagBytes: 64 * MB };

describe('judgeLag with replica probes', () => {
  it('names how the time lag was measured', () => {
    const v = judgeLag([{ replica: 'replica1', seconds: 2.314, bytes: 0, via: 'heartbeat' }], limits);
    expect(v).toMatchObject({ open: false, reason: 'replica replica1 is 2.31s behind by heartbeat (limit 1.00s)' });
  });
  it('a problem closes the gate; an accepted warning does not', () => {
    expect(
      judgeLag(
        [
          {
            replica: 'db2:5432',
            seconds: null,
            bytes: null,
            problem: 'is not streaming (walreceiver status "stopping")',
          },
        ],
        limits,
      ).reason,
    ).toBe('replica db2:5432: is not streaming (walreceiver status "stopping")');
    expect(
      judgeLag([{ replica: 'db2:5432', seconds: null, bytes: null, warning: 'is unreachable' }], limits).open,
    ).toBe(true);
  });
  it('the phase gate waits out a problem that may clear, and reports one that waiting will not clear at once', async () => {
    const probeOf = (reading: LagReading) => {
      let reads = 0;
      const probe: LagProbe = { read: async () => (reads++, [reading]), close: async () => undefined };
      return { probe, reads: () => reads };
    };
    const refused = probeOf({
      replica: 'db2:5432',
      seconds: null,
      bytes: null,
      problem: 'is unreachable (connect ECONNREFUSED)',
    });
    const waited: number[] = [];
    const v1 = await waitForLagGate(refused.probe, limits, { timeoutMs: 1500, onClosed: (_, ms) => waited.push(ms) });
    expect(v1.open).toBe(false);
    expect(waited.length).toBeGreaterThan(1); // read again after waiting
    const wrongRole = probeOf({
      replica: 'db2:5432',
      seconds: null,
      bytes: null,
      problem: 'is unreachable (role "nobody" does not exist)',
      final: true,
    });
    const v2 = await waitForLagGate(wrongRole.probe, limits, {
      timeoutMs: 600_000,
      onClosed: () => expect.fail('must not wait'),
    });
    expect(v2).toMatchObject({
      open: false,
      final: true,
      reason: 'replica db2:5432: is unreachable (role "nobody" does not exist)',
    });
    expect(wrongRole.reads()).toBe(1);
  });
});

describe('throttle signals (pure judges)', () => {
  it('lock waits: none may wait; the reason says how many and for how long', () => {
    expect(judgeLockWaits({ waiting: 0, longestSeconds: 0 }, 'public.t')).toBeNull();
    expect(judgeLockWaits({ waiting: 3, longestSeconds: 2.5 }, 'public.t')).toBe(
      '3 sessions wait for a lock on public.t or held by the backfill (longest for 2.50s; limit: none may wait)',
    );
  });
  it('oldest transaction over the limit', () => {
    const oldest = { pid: 42, application: 'psql', state: 'idle in transaction', ageSeconds: 725 };
    expect(judgeXactAge(oldest, 600_000)).toMatch(
      /^the oldest transaction \(pid 42, psql, idle in transaction\) has been open 12m05s \(limit 10m00s\)/,
    );
    expect(judgeXactAge({ ...oldest, ageSeconds: 599 }, 600_000)).toBeNull();
    expect(judgeXactAge(undefined, 600_000)).toBeNull();
  });
  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    [-1, false],
    ['t', true],
    ['f', false],
    ['2.5', true],
    ['0', false],
    [null, false],
    [undefined, false],
  ])('throttle query value %j pauses: %j', (value, pauses) => expect(throttleValuePauses(value)).toBe(pauses));
});

describe('the throttle', () => {
  function probe(readings: LagReading[]): LagProbe & { reads: number } {
    const p = {
      reads: 0,
      async read() {
        p.reads++;
        await new Promise((r) => setTimeout(r, 20));
        return readings;
      },
      async close() {},
    };
    return p;
  }

  it('concurrent checks share one evaluation', async () => {
    const p = probe([]);
    let signalReads = 0;
    const t = new Throttle(p, limits, async () => null, 0, [
      { name: 'x', read: async () => (signalReads++, null), cacheMs: 0 },
    ]);
    const verdicts = await Promise.all([t.check(), t.check(), t.check()]);
    expect(verdicts.every((v) => v.open)).toBe(true);
    expect(p.reads).toBe(1);
    expect(signalReads).toBe(1);
  });

  it('signals pause after lag; a signal that throws pauses with its error', async () => {
    const t = new Throttle(probe([]), limits, async () => null, 0, [
      { name: 'ok', read: async () => null },
      {
        name: 'throttle query',
        read: async () => {
          throw new Error('boom');
        },
      },
    ]);
    expect(await t.check()).toMatchObject({
      open: false,
      reason: 'cannot read the throttle query signal: boom (pausing until it can be read)',
    });
  });
});

describe('the throttle judges byte lag ahead of each batch', () => {
  const bytesLimits = { maxLagMs: 3_600_000, maxLagBytes: 16 * MB };
  /** A replica whose replay is paused at `replayed`, and a primary whose WAL position the test moves. */
  function paused(replayed: number) {
    const state = { wal: replayed, reads: 0, walReads: 0 };
    const probe: LagProbe = {
      async read() {
        state.reads++;
        return [{ replica: 'r1', seconds: 0, bytes: state.wal - replayed }];
      },
      async close() {},
    };
    return {
      state,
      throttle: new Throttle(
        probe,
        bytesLimits,
        async () => null,
        60_000,
        [],
        async () => (state.walReads++, state.wal),
      ),
    };
  }

  it('counts WAL written since a cached reading and pauses before the batch that would cross the limit', async () => {
    const { state, throttle } = paused(0);
    expect((await throttle.check(4 * MB)).open).toBe(true);
    throttle.done(4 * MB);
    state.wal += 4 * MB;
    // The reading is cached for a minute, but the 4 MB written since count: 4 + 4 + 4 <= 16.
    expect((await throttle.check(4 * MB)).open).toBe(true);
    throttle.done(4 * MB);
    state.wal += 9 * MB;
    // 13 MB behind now; the next 4 MB batch would make 17: read fresh, then pause.
    const v = await throttle.check(4 * MB);
    expect(v.open).toBe(false);
    expect(v.reason).toBe(
      'replica r1 has up to 13 MB of WAL to replay (13 MB read, 0 B written since) and the next batch writes about 4.0 MB (limit 16 MB)',
    );
    expect(state.reads).toBe(2);
  });

  it('takes the WAL position a finished batch reported instead of querying it', async () => {
    const { state, throttle } = paused(0);
    expect((await throttle.check(4 * MB)).open).toBe(true);
    state.wal = 13 * MB;
    throttle.done(4 * MB, 13 * MB);
    const walReads = state.walReads;
    // 0 read + 13 MB reported by the batch + 4 MB next > 16: read fresh, and pause.
    expect((await throttle.check(4 * MB)).open).toBe(false);
    expect(state.reads).toBe(2);
    // The only WAL position queried was the fresh reading's own.
    expect(state.walReads).toBe(walReads + 1);
  });

  it('counts batches in flight (parallel workers) until done()', async () => {
    const { throttle } = paused(0);
    for (let i = 0; i < 4; i++) expect((await throttle.check(4 * MB)).open).toBe(true);
    const v = await throttle.check(4 * MB);
    expect(v).toMatchObject({ open: false });
    expect(v.reason).toContain('batches in flight 16 MB');
    throttle.done(4 * MB);
  });

  it('after pausing ahead, resumes only below half the limit; a batch bigger than the limit still runs on a caught-up replica', async () => {
    const { state, throttle } = paused(0);
    state.wal = 10 * MB;
    expect((await throttle.check(8 * MB)).open).toBe(false);
    state.wal = 10 * MB; // replay stays paused: still 10 MB behind, above the 8 MB resume mark
    expect((await throttle.check(1)).open).toBe(false);
    const caughtUp = paused(10 * MB);
    caughtUp.state.wal = 10 * MB;
    expect((await caughtUp.throttle.check(40 * MB)).open).toBe(true);
  });
});

describe('WAL per row, measured', () => {
  it('starts from the estimate, rises at once, falls slowly; the sizer follows a lower cap at once', () => {
    const m = new WalMeter(650);
    expect(m.rowsFor(4 * MB)).toBe(Math.floor((4 * MB) / 650));
    m.observe(10_000, 4_000_000);
    expect(m.bytesPerRow).toBeCloseTo(600, 0); // 0.8 x 650 + 0.2 x 400
    m.observe(1_000, 1_200_000); // after a checkpoint: full-page images double it
    expect(m.bytesPerRow).toBe(1200);
    m.observe(0, 5_000); // nothing rewritten: no information
    expect(m.bytesPerRow).toBe(1200);
    const sizer = new BatchSizer(50_000, 200);
    sizer.limit(m.rowsFor(4 * MB));
    expect(sizer.current).toBe(Math.floor((4 * MB) / 1200));
  });
});

describe('WAL estimate and the retention rule', () => {
  it('row width from pages, else statistics, else a default', () => {
    expect(rowWidth({ tuples: 2_000_000, relpages: 39_700, statWidth: 120, indexes: 1 })).toBeCloseTo(162.6, 0);
    expect(rowWidth({ tuples: -1, relpages: 0, statWidth: 40, indexes: 1 })).toBe(68);
    expect(rowWidth({ tuples: -1, relpages: 0, statWidth: null, indexes: 0 })).toBe(100);
  });

  it('is calibrated on the measured 2 M-row backfill (546 B/row, 1.04 GB) and errs high', () => {
    const perRow = walBytesPerRow(162.6, 1);
    expect(perRow).toBeGreaterThan(546);
    expect(perRow).toBeLessThan(546 * 1.4);
    const e = estimateWal({ tuples: 2_000_000, relpages: 39_700, statWidth: null, indexes: 1 }, 2_000_000, {
      maxLagBytes: 64 * MB,
      workers: 1,
    });
    expect(e.totalBytes / 1024 ** 3).toBeGreaterThan(1.0);
    // backlog: the byte-lag limit plus one burst (2 batches of the largest size), not the whole backfill
    expect(e.burstBytes).toBe(2 * 100_000 * perRow);
    expect(e.backlogBytes).toBe(64 * MB + e.burstBytes);
  });

  it('a small backfill cannot put more than itself behind', () => {
    const e = estimateWal({ tuples: 1000, relpages: 10, statWidth: null, indexes: 2 }, 1000, {
      maxLagBytes: 64 * MB,
      workers: 4,
    });
    expect(e.backlogBytes).toBe(e.totalBytes);
  });

  const big = estimateWal({ tuples: 2_000_000, relpages: 39_700, statWidth: null, indexes: 1 }, 2_000_000, {
    maxLagBytes: 64 * MB,
    workers: 1,
  });

  it('refuses for a slot-less replica whose wal_keep_size is below the backlog', () => {
    const problems = judgeWalRisk(
      [{ name: 'replica1', slot: null }],
      { walKeepBytes: 0, maxSlotKeepBytes: null },
      big,
      64 * MB,
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^replica replica1 streams without a replication slot and wal_keep_size \(0 B\) cannot hold the WAL/,
    );
    expect(problems[0]).toMatch(/--max-lag-bytes 64 MB plus a burst of batches/);
    expect(problems[0]).toMatch(/--allow-wal-risk$/);
  });

  it('accepts a slot (unlimited), or wal_keep_size that covers the backlog', () => {
    expect(
      judgeWalRisk([{ name: 'r', slot: 'zdm_replica' }], { walKeepBytes: 0, maxSlotKeepBytes: null }, big, 64 * MB),
    ).toEqual([]);
    expect(
      judgeWalRisk(
        [{ name: 'r', slot: null }],
        { walKeepBytes: big.backlogBytes, maxSlotKeepBytes: null },
        big,
        64 * MB,
      ),
    ).toEqual([]);
    expect(judgeWalRisk([], { walKeepBytes: 0, maxSlotKeepBytes: null }, big, 64 * MB)).toEqual([]);
  });

  it('a slot capped by max_slot_wal_keep_size below the backlog is a risk too', () => {
    const [p] = judgeWalRisk(
      [{ name: 'r', slot: 's1' }],
      { walKeepBytes: 0, maxSlotKeepBytes: 100 * MB },
      big,
      64 * MB,
    );
    expect(p).toMatch(/streams through slot s1, capped by max_slot_wal_keep_size \(100 MB\), cannot hold/);
  });

  it('reads pg_settings units', () => {
    expect(settingBytes('512', 'MB')).toBe(512 * MB);
    expect(settingBytes('16777216', 'B')).toBe(16 * MB);
    expect(settingBytes('2048', '8kB')).toBe(16 * MB);
    expect(settingBytes('1', '16MB')).toBe(16 * MB);
  });
});

describe('config for the gates', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zdm-gates-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('switches from flags, env and the config file; max-xact-age is a duration with a default', () => {
    expect(resolveConfig({}, {}, dir)).toMatchObject({
      allowMissingReplica: false,
      allowWalRisk: false,
      maxXactAgeMs: 600_000,
    });
    expect(
      resolveConfig({ allowMissingReplica: true, maxXactAge: '0' }, { ZDM_ALLOW_WAL_RISK: '1' }, dir),
    ).toMatchObject({ allowMissingReplica: true, allowWalRisk: true, maxXactAgeMs: 0 });
    writeFileSync(path.join(dir, 'zdm.config.json'), JSON.stringify({ allowWalRisk: true, maxXactAge: '5m' }));
    expect(resolveConfig({}, {}, dir)).toMatchObject({ allowWalRisk: true, maxXactAgeMs: 300_000 });
    expect(() => resolveConfig({}, { ZDM_ALLOW_MISSING_REPLICA: 'maybe' }, dir)).toThrow(
      /ZDM_ALLOW_MISSING_REPLICA: "maybe" must be true or false/,
    );
  });
});

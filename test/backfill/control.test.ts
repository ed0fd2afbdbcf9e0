import { describe, expect, it } from 'vitest';
import { ControlPoller, type ControlReading, type SharedTotals } from '../../src/backfill/control.js';
import { ProgressReporter } from '../../src/backfill/progress.js';
import { WalMeter } from '../../src/backfill/wal-meter.js';
import { WorkerSizing } from '../../src/backfill/worker-sizing.js';
import type { BackfillProgress, OperatorChange, RunnerEvent } from '../../src/exec/events.js';

/** A poller over an in-memory migration row and clock, as zdm pause / resume / tune would set them. */
function poller(
  opts: { row?: ControlReading; shared?: SharedTotals; maxRowsPerSecond?: number; workers?: number } = {},
) {
  const state: { row: ControlReading | undefined; shared: SharedTotals | undefined; reads: number } = {
    row: opts.row ?? { paused: false, pause_reason: null, control: {} },
    shared: opts.shared,
    reads: 0,
  };
  const clock = { now: 10_000 };
  const sizing = new WorkerSizing(new WalMeter(100), Infinity, opts.workers ?? 2, 1000, 200);
  const sharedSeen: SharedTotals[] = [];
  const changes: OperatorChange[] = [];
  const control = new ControlPoller(
    {
      read: () => {
        state.reads++;
        return Promise.resolve(state.row);
      },
      ...(opts.shared ? { readShared: () => Promise.resolve(state.shared) } : {}),
    },
    {
      setBatchSize: (size) => sizing.override(size),
      shared: (t) => sharedSeen.push(t),
      changed: (c) => changes.push(c),
    },
    opts.maxRowsPerSecond,
    () => clock.now,
  );
  return { state, clock, sizing, sharedSeen, changes, control };
}

describe('ControlPoller (zdm pause, resume and tune as a running backfill sees them)', () => {
  it('reports the pause reason, an empty reason when none was given, and null after resume', async () => {
    const p = poller({ row: { paused: true, pause_reason: 'deploy window', control: {} } });
    expect(await p.control.poll()).toBe('deploy window');
    p.state.row = { paused: true, pause_reason: null, control: {} };
    p.clock.now += 1001;
    expect(await p.control.poll()).toBe('');
    p.state.row = { paused: false, pause_reason: null, control: {} };
    p.clock.now += 1001;
    expect(await p.control.poll()).toBeNull();
  });

  it('reads the state at most once a second and answers from the last reading in between', async () => {
    const p = poller({ row: { paused: true, pause_reason: 'x', control: {} } });
    await p.control.poll();
    p.state.row = { paused: false, pause_reason: null, control: {} };
    p.clock.now += 1000;
    expect(await p.control.poll()).toBe('x');
    expect(p.state.reads).toBe(1);
    p.clock.now += 1;
    expect(await p.control.poll()).toBeNull();
    expect(p.state.reads).toBe(2);
  });

  it('a tuned batch size applies to every worker, and again at each reading after the sizer moved', async () => {
    const p = poller({ row: { paused: false, pause_reason: null, control: { batchSize: 5000 } }, workers: 3 });
    await p.control.poll();
    expect([0, 1, 2].map((i) => p.sizing.sizer(i).current)).toEqual([5000, 5000, 5000]);
    p.sizing.sizer(1).shrink();
    p.clock.now += 1001;
    await p.control.poll();
    expect(p.sizing.sizer(1).current).toBe(5000);
  });

  it('a tuned rate cap replaces the configured one, and null removes it', async () => {
    const p = poller({ maxRowsPerSecond: 500 });
    await p.control.poll();
    expect(p.control.maxRowsPerSecond).toBe(500);
    p.state.row = { paused: false, pause_reason: null, control: { maxRowsPerSecond: 2000 } };
    p.clock.now += 1001;
    await p.control.poll();
    expect(p.control.maxRowsPerSecond).toBe(2000);
    p.state.row = { paused: false, pause_reason: null, control: { maxRowsPerSecond: null } };
    p.clock.now += 1001;
    await p.control.poll();
    expect(p.control.maxRowsPerSecond).toBeUndefined();
  });

  it('a migration row that is gone reads as not paused and leaves the settings alone', async () => {
    const p = poller({ maxRowsPerSecond: 500 });
    p.state.row = undefined;
    expect(await p.control.poll()).toBeNull();
    expect(p.control.maxRowsPerSecond).toBe(500);
    expect(p.sizing.sizer(0).current).toBe(1000);
  });

  it('tells the runner what an operator changed (for its output), once per change', async () => {
    const p = poller({ maxRowsPerSecond: 500 });
    const next = async (row: ControlReading) => {
      p.state.row = row;
      p.clock.now += 1001;
      await p.control.poll();
    };
    await p.control.poll();
    await next({ paused: true, pause_reason: 'deploy window', control: {} });
    await next({ paused: true, pause_reason: 'deploy window', control: {} });
    await next({ paused: false, pause_reason: null, control: { batchSize: 5000 } });
    await next({ paused: false, pause_reason: null, control: { batchSize: 5000, maxRowsPerSecond: null } });
    await next({ paused: false, pause_reason: null, control: { batchSize: 5000, maxRowsPerSecond: null } });
    expect(p.changes).toEqual([
      { change: 'pause', reason: 'deploy window' },
      { change: 'resume' },
      { change: 'tune', batchSize: 5000 },
      { change: 'tune', maxRowsPerSecond: null },
    ]);
  });

  it('reads the shared counters with the controls, for progress that counts joined processes', async () => {
    const p = poller({ shared: { rows_scanned: 4000, rows_updated: 3900, batches: 8 } });
    await p.control.poll();
    expect(p.sharedSeen).toEqual([{ rows_scanned: 4000, rows_updated: 3900, batches: 8 }]);
  });
});

describe('ProgressReporter', () => {
  const ids = { migration: 'm', stepId: 's', table: 'public.t' };
  function reporter(chunked: boolean) {
    const events: RunnerEvent[] = [];
    const live: BackfillProgress[] = [];
    const r = new ProgressReporter(
      { emit: (e) => events.push(e), live: (p) => live.push(p) },
      ids,
      10_000,
      { scanned: 1000, updated: 900, batches: 2 },
      chunked,
    );
    const last = () => (events.filter((e) => e.type === 'backfill-progress').at(-1) as { progress: BackfillProgress })!;
    return { r, events, live, last };
  }

  it("counts this process's batches when it is the only worker", () => {
    const { r, last } = reporter(false);
    r.batchDone(500, 450);
    r.shared({ rows_scanned: 9000, rows_updated: 9000, batches: 90 });
    r.report(null, [], 10, 500);
    expect(last().progress).toMatchObject({ rowsScanned: 1500, rowsUpdated: 1350, batches: 3, totalEstimate: 10_000 });
  });

  it('takes the shared counters of a chunked backfill, which other processes advance too', () => {
    const { r, last } = reporter(true);
    r.shared({ rows_scanned: 6000, rows_updated: 5800, batches: 30 });
    r.report(null, [], 10, 500);
    expect(last().progress).toMatchObject({ rowsScanned: 6000, rowsUpdated: 5800, batches: 30 });
  });

  it('reports a pause with its reason, then the time paused on resume; the final report is not written live', () => {
    const { r, events, live, last } = reporter(false);
    r.paused('replica lag', [], 500);
    expect(events[0]).toMatchObject({ type: 'backfill-pause', reason: 'replica lag' });
    expect(last().progress.paused).toBe('replica lag');
    expect(r.resumed()).toBeGreaterThanOrEqual(0);
    expect(r.resumed()).toBeUndefined();
    const written = live.length;
    r.report(null, [], 0, 500, true);
    expect(last().progress).toMatchObject({ done: true, etaSeconds: 0 });
    expect(live.length).toBe(written);
  });

  it('the final report covers the rows done (100%, even when the estimate was higher) and tallies the run and its pauses', () => {
    const clock = { now: 0 };
    const events: RunnerEvent[] = [];
    const r = new ProgressReporter(
      { emit: (e) => events.push(e) },
      ids,
      10_000,
      { scanned: 1000, updated: 1000, batches: 1 },
      false,
      () => clock.now,
    );
    r.batchDone(4000, 4000);
    clock.now = 1000;
    r.paused('replica lag', [], 500);
    clock.now = 1500;
    r.paused('replica lag', [], 500);
    clock.now = 3000;
    expect(r.resumed()).toBe(2000);
    r.batchDone(4500, 4500);
    clock.now = 4000;
    r.paused('lock waits', [], 500);
    clock.now = 4500;
    r.resumed();
    clock.now = 5000;
    r.report(null, [], 0, 500, true);
    const final = (events.at(-1) as { progress: BackfillProgress }).progress;
    expect(final).toMatchObject({
      done: true,
      rowsScanned: 9500,
      totalEstimate: 9500,
      rowsThisRun: 8500,
      elapsedMs: 5000,
      pauses: 2,
      pausedTotalMs: 2500,
    });
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgressRenderer } from '../../src/cli/progress.js';
import { lagShort, operatorLine, progressLine, tallyLine } from '../../src/cli/progress-line.js';
import type { BackfillProgress } from '../../src/exec/events.js';
import { Screen } from '../helpers/terminal.js';

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

const base: BackfillProgress = {
  rowsScanned: 0,
  rowsUpdated: 0,
  totalEstimate: 51_094,
  batches: 0,
  batchSize: 1000,
  rowsPerSecond: 14_000,
  etaSeconds: 3.6,
  lastBatchMs: 80,
  lag: [{ replica: 'zdm_replica', seconds: 0.01, bytes: 2048 }],
  paused: null,
  pausedMs: 0,
  elapsedMs: 0,
  rowsThisRun: 0,
  pauses: 0,
  pausedTotalMs: 0,
  done: false,
};
const LONG_REASON = `replica db2:5432 has up to 13 MB of WAL to replay (13 MB read, 0 B written since) and the next batch writes about 4.0 MB (limit 16 MB); ${'x'.repeat(80)} end of reason`;

describe('the progress line', () => {
  it('fits the terminal: a long pause reason is shortened (never cut by the terminal at its edge)', () => {
    const paused = { ...base, rowsScanned: 20_000, paused: LONG_REASON, pausedMs: 2500 };
    for (const columns of [60, 80, 120, 160, 300]) {
      const line = progressLine('public.users', paused, columns);
      expect(line.length, line).toBeLessThanOrEqual(columns - 1);
      expect(line).toContain('PAUSED 2.50s: replica db2:5432');
      if (columns >= 120) expect(line).toContain('20,000/51,094 rows');
    }
    expect(progressLine('public.users', paused, 500)).toContain('end of reason');
    expect(progressLine('public.users', paused, 120)).toMatch(/…$/);
  });

  it('reads 100% only when the backfill is done, and 99% at most before', () => {
    expect(progressLine('t', { ...base, rowsScanned: 51_094 }, 200)).toContain('] 99% |');
    expect(progressLine('t', { ...base, rowsScanned: 50_186, totalEstimate: 50_186, done: true }, 200)).toContain(
      '] 100% | 50,186/50,186 rows',
    );
  });

  it('the final tally: rows, time, average rate and pauses; a resumed run says how much of it ran now', () => {
    const done = { ...base, done: true, rowsScanned: 50_186, totalEstimate: 50_186, elapsedMs: 4000 };
    expect(tallyLine('public.users', { ...done, rowsThisRun: 50_186 })).toBe(
      '   public.users: backfill done: 50,186 rows in 4.00s (12,547 rows/s on average), no pauses',
    );
    expect(
      tallyLine('public.users', { ...done, rowsThisRun: 20_000, pauses: 2, pausedTotalMs: 1500, elapsedMs: 2000 }),
    ).toBe(
      '   public.users: backfill done: 50,186 rows, 20,000 of them in this run of 2.00s (10,000 rows/s on average), 2 pauses (1.50s in all)',
    );
  });

  it('what an operator changed from another terminal', () => {
    expect(operatorLine({ change: 'pause', reason: 'deploy window' })).toBe(
      '   zdm pause: deploy window (the backfill waits until zdm resume)',
    );
    expect(operatorLine({ change: 'resume' })).toBe('   zdm resume: the backfill continues');
    expect(operatorLine({ change: 'tune', batchSize: 5000, maxRowsPerSecond: null })).toBe(
      '   zdm tune: batch size 5,000, no rate cap',
    );
  });
});

describe('the progress renderer on a terminal', () => {
  afterEach(() => vi.useRealTimers());

  it('shows the whole pause reason once, operator actions, the bar at 100% and a tally that stays, then the next lines', () => {
    vi.useFakeTimers();
    const screen = new Screen();
    const renderer = createProgressRenderer(
      {
        stdout: () => undefined,
        stderr: (t) => screen.write(t),
        env: {},
        cwd: '/',
        signal: new AbortController().signal,
        stdoutIsTTY: true,
        stderrIsTTY: true,
        stderrColumns: () => 100,
      },
      false,
    );
    const id = { migration: 'm1', stepId: 'backfill:public.users:backfill:1' };
    const progress = (p: Partial<BackfillProgress>) => {
      renderer.emit({ type: 'backfill-progress', ...id, table: 'public.users', progress: { ...base, ...p } });
      vi.advanceTimersByTime(250);
    };
    renderer.emit({ type: 'step-start', ...id, description: 'copy data into email_address' });
    progress({ rowsScanned: 10_000, rowsThisRun: 10_000, elapsedMs: 700 });
    renderer.emit({ type: 'backfill-control', ...id, change: 'tune', batchSize: 5000 });
    renderer.emit({ type: 'backfill-pause', ...id, reason: LONG_REASON, waitedMs: 0 });
    progress({ rowsScanned: 20_000, paused: LONG_REASON, pausedMs: 1000, pauses: 1 });
    const pausedBar = screen.text().at(-1)!;
    expect(pausedBar).toContain('PAUSED 1.00s: replica db2:5432');
    expect(pausedBar.length).toBeLessThanOrEqual(99);
    renderer.emit({ type: 'backfill-pause', ...id, reason: LONG_REASON, waitedMs: 1500 });
    progress({ rowsScanned: 20_000, paused: LONG_REASON, pausedMs: 1500, pauses: 1 });
    progress({ rowsScanned: 30_000, pauses: 1, pausedTotalMs: 1500 });
    renderer.emit({ type: 'backfill-control', ...id, change: 'pause', reason: 'deploy window' });
    renderer.emit({ type: 'backfill-pause', ...id, reason: 'paused by operator: deploy window', waitedMs: 0 });
    progress({ rowsScanned: 30_000, paused: 'paused by operator: deploy window', pausedMs: 2000, pauses: 2 });
    renderer.emit({ type: 'backfill-control', ...id, change: 'resume' });
    progress({ rowsScanned: 40_000, pauses: 2, pausedTotalMs: 3500 });
    const final = { rowsScanned: 50_186, totalEstimate: 50_186, rowsThisRun: 50_186, elapsedMs: 6000 };
    progress({ ...final, pauses: 2, pausedTotalMs: 3500, etaSeconds: 0, done: true });
    renderer.emit({ type: 'step-done', ...id, ms: 6000, attempts: 1 });
    renderer.emit({ type: 'phase-done', migration: 'm1', phase: 'backfill', ms: 6100 });
    renderer.stop();

    const seen = screen.text();
    expect(seen.filter((l) => l.includes('backfill paused:'))).toEqual([`   backfill paused: ${LONG_REASON}`]);
    const at = (text: string) => seen.findIndex((l) => l.includes(text));
    expect(seen.slice(at('zdm tune'))).toEqual([
      '   zdm tune: batch size 5,000',
      `   backfill paused: ${LONG_REASON}`,
      '   backfill resumed after 1.50s',
      '   zdm pause: deploy window (the backfill waits until zdm resume)',
      '   zdm resume: the backfill continues',
      '   backfill resumed after 2.00s',
      expect.stringMatching(/^ {3}public\.users \[█+\] 100% \| 50,186\/50,186 rows \| /),
      '   public.users: backfill done: 50,186 rows in 6.00s (8,364 rows/s on average), 2 pauses (3.50s in all)',
      '   done in 6.00s',
      '== m1: backfill done in 6.10s',
    ]);
    expect(seen[0]).toBe('-> backfill:public.users:backfill:1: copy data into email_address');
  });
});

/**
 * Diagnostic (not part of `npm run bench`; findings in results/notes.md): what zdm's runner adds
 * to its own batch SQL. Alternates, on fresh clones: zdm's backfill through its runner
 * (unthrottled), the same batch SQL replayed without the runner (diag.ts, at the batch size the
 * runner settled on), and the bulk UPDATE.
 *
 *   npx tsx bench/backfill/runnerdiag.ts   (ZDM_DIAG_ROWS=1000000, ZDM_DIAG_REPS=4)
 */
import { median } from '../report.js';
import { batchBreakdown } from './diag.js';
import { bulkUpdate, clone, dropDb, settle, startEnv, UNTHROTTLED, zdmBackfill } from './setup.js';

const ROWS = Number(process.env.ZDM_DIAG_ROWS ?? 1_000_000);
const REPS = Number(process.env.ZDM_DIAG_REPS ?? 4);

const env = await startEnv();
try {
  const rates: Record<string, number[]> = { runner: [], replay: [], bulk: [] };
  let size = 20_000;
  for (let rep = 1; rep <= REPS; rep++) {
    const order = rep % 2 ? (['runner', 'replay', 'bulk'] as const) : (['bulk', 'replay', 'runner'] as const);
    for (const side of order) {
      const url = await clone(env, ROWS, 'runnerdiag');
      await settle(env);
      let line: string;
      if (side === 'runner') {
        const z = await zdmBackfill(env, url, UNTHROTTLED);
        if (z.batchSizes.length) size = Math.round(median(z.batchSizes));
        rates.runner!.push(ROWS / (z.stepMs / 1000));
        line = `step ${z.stepMs.toFixed(0)} ms, batches ${z.batches} (median ${size} rows), batch time ${z.batchMsSum.toFixed(0)} ms`;
      } else if (side === 'replay') {
        const b = await batchBreakdown(url, size);
        rates.replay!.push(b.rowsPerSecond);
        line = `${b.totalMs.toFixed(0)} ms at ${size} rows/batch: bound ${b.boundMs.toFixed(0)}, update ${b.updateMs.toFixed(0)}, commit ${b.commitMs.toFixed(0)} ms`;
      } else {
        const ms = await bulkUpdate(url);
        rates.bulk!.push(ROWS / (ms / 1000));
        line = `${ms.toFixed(0)} ms`;
      }
      console.log(
        `rep ${rep} ${side.padEnd(6)} ${Math.round(rates[side]!.at(-1)!).toLocaleString('en-US').padStart(8)} rows/s  ${line}`,
      );
      await dropDb(env, 'runnerdiag');
    }
  }
  const m = (k: string) => median(rates[k]!);
  console.log(
    `\nmedians: runner ${Math.round(m('runner'))} (${(m('runner') / m('bulk')).toFixed(2)}x bulk), replay ${Math.round(m('replay'))} (${(m('replay') / m('bulk')).toFixed(2)}x bulk), bulk ${Math.round(m('bulk'))}`,
  );
} finally {
  await env.close();
}

import { formatBytes, formatDuration } from '../config/units.js';
import type { BackfillProgress, LagSummary, OperatorChange } from '../api/zdm.js';

/** The shortest pause reason kept before the line drops other fields to make room. */
const MIN_REASON = 16;
/** Bar widths tried in turn; 0: no bar and no row counts (a narrow terminal, where the pause reason matters more). */
const BAR_WIDTHS = [30, 10, 0];
/** Fields dropped, in this order, when the line does not fit the terminal. */
const OPTIONAL = ['lag', 'batch', 'eta', 'rate'] as const;

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * A backfill's progress line, fitted to `columns` (the terminal's width, one column kept free
 * so the terminal does not wrap): the pause reason is shortened first (the full reason is printed
 * once above the bar when the pause starts), then the bar narrows and the lag, batch size, ETA and
 * rate are left out, and last the bar and the row counts. The percentage reads 100 only when
 * the backfill is done.
 */
export function progressLine(table: string, p: BackfillProgress, columns: number): string {
  const width = Math.max(20, columns - 1);
  const pct = p.done ? 100 : Math.min(99, Math.floor((p.rowsScanned / Math.max(1, p.totalEstimate)) * 100));
  const fields: Record<(typeof OPTIONAL)[number], string> = {
    rate: `${count(p.rowsPerSecond)} rows/s`,
    eta: `ETA ${p.etaSeconds === null ? '?' : formatDuration(p.etaSeconds * 1000)}`,
    batch: `batch ${count(p.batchSize)}`,
    lag: `lag ${lagShort(p.lag)}`,
  };
  const rows = `${count(p.rowsScanned)}/${count(p.totalEstimate)} rows`;
  const pause = p.paused === null ? undefined : `PAUSED ${formatDuration(p.pausedMs)}: `;
  let line = '';
  for (const barWidth of BAR_WIDTHS)
    for (let dropped = 0; dropped <= OPTIONAL.length; dropped++) {
      const kept = (Object.keys(fields) as (typeof OPTIONAL)[number][]).filter(
        (f) => !OPTIONAL.slice(0, dropped).includes(f),
      );
      const start = barWidth ? [`   ${table} [${bar(pct, barWidth)}] ${pct}%`, rows] : [`   ${table} ${pct}%`];
      const head = [...start, ...kept.map((f) => fields[f])].join(' | ');
      if (pause === undefined) line = head;
      else {
        const room = width - head.length - 3 - pause.length;
        line = `${head} | ${pause}${shorten(p.paused!, Math.max(room, MIN_REASON))}`;
      }
      if (line.length <= width) return line;
    }
  return shorten(line, width);
}

/** The line that stays when a backfill ends: rows, time, average rate and pauses. */
export function tallyLine(table: string, p: BackfillProgress): string {
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? `${count(p.rowsThisRun / seconds)} rows/s on average` : 'at once';
  const rows =
    p.rowsThisRun === p.rowsScanned
      ? `${count(p.rowsScanned)} rows in ${formatDuration(p.elapsedMs)} (${rate})`
      : `${count(p.rowsScanned)} rows, ${count(p.rowsThisRun)} of them in this run ` +
        `of ${formatDuration(p.elapsedMs)} (${rate})`;
  const pauses =
    p.pauses === 0
      ? 'no pauses'
      : `${p.pauses} ${p.pauses === 1 ? 'pause' : 'pauses'} ` +
        `(${formatDuration(p.pausedTotalMs)}${p.pauses === 1 ? '' : ' in all'})`;
  return `   ${table}: backfill done: ${rows}, ${pauses}`;
}

/** What the runner prints when it reads an operator's zdm pause / resume / tune. */
export function operatorLine(c: OperatorChange): string {
  switch (c.change) {
    case 'pause':
      return `   zdm pause${c.reason ? `: ${c.reason}` : ''} (the backfill waits until zdm resume)`;
    case 'resume':
      return '   zdm resume: the backfill continues';
    case 'tune': {
      const parts = [
        c.batchSize === undefined ? '' : `batch size ${count(c.batchSize)}`,
        c.maxRowsPerSecond === undefined
          ? ''
          : c.maxRowsPerSecond === null
            ? 'no rate cap'
            : `rate cap ${count(c.maxRowsPerSecond)} rows/s`,
      ];
      return `   zdm tune: ${parts.filter(Boolean).join(', ')}`;
    }
  }
}

/** Each replica's lag as seconds/bytes, or what is wrong with it (a problem, or a warning the operator accepted). */
export function lagShort(lag: LagSummary[]): string {
  if (lag.length === 0) return '-';
  return lag
    .map((l) => {
      const note = l.problem ?? (l.seconds === null && l.bytes === null ? l.warning : undefined);
      if (note) return `${l.replica}: ${note}`;
      return `${l.seconds === null ? '?' : `${l.seconds.toFixed(2)}s`}/${l.bytes === null ? '?' : formatBytes(l.bytes)}`;
    })
    .join(', ');
}

function bar(pct: number, width: number): string {
  const full = Math.round((pct / 100) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

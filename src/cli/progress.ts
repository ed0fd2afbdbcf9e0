import cliProgress from 'cli-progress';
import { formatBytes, formatDuration } from '../config/units.js';
import type { BackfillProgress, LagSummary, RunnerEvent } from '../exec/events.js';
import type { CliIO } from './context.js';
import { eventLine } from './logger.js';
import { stderrSink } from './stderr-sink.js';

export interface ProgressRenderer {
  emit(event: RunnerEvent): void;
  stop(): void;
}

/**
 * On a terminal: a progress bar per backfill (rows done / estimate, rows/s, ETA, lag, batch size,
 * and the pause reason while paused) and one line per step. Elsewhere (CI logs, --json): JSON
 * lines on stderr, progress at most once a second per table.
 */
export function createProgressRenderer(io: CliIO, json: boolean): ProgressRenderer {
  const tty = io.stderrIsTTY && !json;
  if (!tty) return jsonRenderer(io);
  let multibar: cliProgress.MultiBar | undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  const line = (text: string) => (multibar ? multibar.log(`${text}\n`) : io.stderr(`${text}\n`));
  return {
    emit(event) {
      switch (event.type) {
        case 'phase-start':
          line(`== ${event.migration}: ${event.phase}`);
          break;
        case 'phase-done':
          line(`== ${event.migration}: ${event.phase} done in ${formatDuration(event.ms)}`);
          break;
        case 'step-start':
          line(`-> ${event.stepId}: ${event.description}`);
          break;
        case 'step-done':
          line(`   done in ${formatDuration(event.ms)}`);
          break;
        case 'step-skip':
          line(`   ${event.stepId}: skipped (${event.reason})`);
          break;
        case 'lock-retry':
          line(
            `   lock not granted, retry ${event.attempt} in ${formatDuration(event.delayMs)}${event.blockers[0] ? `: ${event.blockers[0]}` : ''}`,
          );
          break;
        case 'gate':
          line(
            `   gate before ${event.phase}: ${event.open ? 'open' : 'closed'}: ${event.reason}${lagText(event.lag)}`,
          );
          break;
        case 'backfill-pause':
          break;
        case 'backfill-progress': {
          if (!multibar) {
            multibar = new cliProgress.MultiBar(
              {
                format:
                  '   {table} [{bar}] {percentage}% | {value}/{total} rows | {rate} rows/s | ETA {eta_text} | batch {batch} | lag {lag}{paused}',
                hideCursor: true,
                clearOnComplete: false,
                stopOnComplete: false,
                etaBuffer: 1,
                noTTYOutput: false,
                stream: process.stderr,
              },
              cliProgress.Presets.shades_classic,
            );
            stderrSink.via = (text) => multibar?.log(text.endsWith('\n') ? text : `${text}\n`);
          }
          const p = event.progress;
          let bar = bars.get(event.stepId);
          if (!bar) {
            bar = multibar.create(p.totalEstimate, 0, payload(event.table, p));
            bars.set(event.stepId, bar);
          }
          bar.setTotal(p.totalEstimate);
          bar.update(p.rowsScanned, payload(event.table, p));
          if (p.done) bar.stop();
          break;
        }
      }
    },
    stop() {
      multibar?.stop();
      stderrSink.via = undefined;
    },
  };
}

function payload(table: string, p: BackfillProgress) {
  return {
    table,
    rate: Math.round(p.rowsPerSecond).toLocaleString('en-US'),
    eta_text: p.etaSeconds === null ? '?' : formatDuration(p.etaSeconds * 1000),
    batch: p.batchSize,
    lag: lagShort(p.lag),
    paused: p.paused ? ` | PAUSED ${formatDuration(p.pausedMs)}: ${p.paused}` : '',
  };
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

function lagText(lag: LagSummary[]): string {
  return lag.length ? ` (lag ${lag.map((l) => `${l.replica} ${lagShort([l])}`).join(', ')})` : '';
}

function jsonRenderer(io: CliIO): ProgressRenderer {
  const lastProgress = new Map<string, number>();
  return {
    emit(event) {
      if (event.type === 'backfill-progress') {
        const now = Date.now();
        if (!event.progress.done && !event.progress.paused && now - (lastProgress.get(event.stepId) ?? 0) < 1000)
          return;
        lastProgress.set(event.stepId, now);
      }
      io.stderr(eventLine(event));
    },
    stop() {},
  };
}

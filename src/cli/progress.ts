import cliProgress from 'cli-progress';
import { formatDuration } from '../config/units.js';
import type { BackfillProgress, LagSummary, RunnerEvent } from '../api/zdm.js';
import type { CliIO } from './context.js';
import { eventLine } from './logger.js';
import { lagShort, operatorLine, progressLine, tallyLine } from './progress-line.js';
import { stderrSink } from './stderr-sink.js';

export interface ProgressRenderer {
  emit(event: RunnerEvent): void;
  stop(): void;
}

/**
 * On a terminal: one line per phase and step, a progress bar per running backfill fitted to the
 * terminal's width (progress-line.ts), the full pause reason when a pause starts and how long it
 * lasted when it ends, what an operator changed from another terminal (zdm pause / resume /
 * tune), and, when the backfill ends, the bar at 100% with a final tally under it. Elsewhere (CI
 * logs, --json): JSON lines on stderr, progress at most once a second per table.
 */
export function createProgressRenderer(io: CliIO, json: boolean): ProgressRenderer {
  const tty = io.stderrIsTTY && !json;
  return tty ? terminalRenderer(io) : jsonRenderer(io);
}

function terminalRenderer(io: CliIO): ProgressRenderer {
  // cli-progress draws on this stream: it measures the terminal and writes through io.stderr.
  const stream = {
    isTTY: true,
    get columns() {
      return io.stderrColumns?.() ?? 80;
    },
    write: (text: string) => (io.stderr(text), true),
  };
  let multibar: cliProgress.MultiBar | undefined;
  let bar: cliProgress.SingleBar | undefined;
  /** Steps paused now (by a gate), and those the operator paused (already said by the operator line). */
  const paused = new Set<string>();
  const operatorPaused = new Set<string>();
  const lastPausedMs = new Map<string, number>();
  const line = (text: string) => (multibar ? multibar.log(`${text}\n`) : io.stderr(`${text}\n`));
  const finish = () => {
    if (!multibar) return;
    multibar.update(); // writes the log lines still buffered, then the bar as it is now
    multibar.stop();
    multibar = bar = undefined;
    stderrSink.via = undefined;
  };
  const progress = (event: Extract<RunnerEvent, { type: 'backfill-progress' }>) => {
    const p = event.progress;
    if (paused.has(event.stepId) && p.paused === null) {
      paused.delete(event.stepId);
      line(`   backfill resumed after ${formatDuration(lastPausedMs.get(event.stepId) ?? 0)}`);
    }
    if (p.paused !== null) lastPausedMs.set(event.stepId, p.pausedMs);
    if (!multibar) {
      multibar = new cliProgress.MultiBar(
        {
          format: (_options, params, payload: { table: string; progress: BackfillProgress }) =>
            progressLine(payload.table, payload.progress, params.maxWidth),
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          stream: stream as unknown as NodeJS.WritableStream,
        },
        cliProgress.Presets.shades_classic,
      );
      stderrSink.via = (text) => multibar?.log(text.endsWith('\n') ? text : `${text}\n`);
    }
    bar ??= multibar.create(p.totalEstimate, 0, { table: event.table, progress: p });
    bar.setTotal(p.totalEstimate);
    bar.update(p.rowsScanned, { table: event.table, progress: p });
    if (!p.done) return;
    finish();
    io.stderr(`${tallyLine(event.table, p)}\n`);
  };
  return {
    emit(event) {
      switch (event.type) {
        case 'backfill-pause':
          // The bar shows the reason shortened to the terminal's width: the whole of it, once.
          if (!paused.has(event.stepId) && !operatorPaused.has(event.stepId))
            line(`   backfill paused: ${event.reason}`);
          paused.add(event.stepId);
          break;
        case 'backfill-control':
          if (event.change === 'pause') operatorPaused.add(event.stepId);
          if (event.change === 'resume') operatorPaused.delete(event.stepId);
          line(operatorLine(event));
          break;
        case 'backfill-progress':
          progress(event);
          break;
        default:
          line(stepLine(event));
      }
    },
    stop: finish,
  };
}

/** The line of a phase, step, lock retry or gate event. */
function stepLine(event: Exclude<RunnerEvent, { type: `backfill-${string}` }>): string {
  switch (event.type) {
    case 'phase-start':
      return `== ${event.migration}: ${event.phase}`;
    case 'phase-done':
      return `== ${event.migration}: ${event.phase} done in ${formatDuration(event.ms)}`;
    case 'step-start':
      return `-> ${event.stepId}: ${event.description}`;
    case 'step-done':
      return `   done in ${formatDuration(event.ms)}`;
    case 'step-skip':
      return `   ${event.stepId}: skipped (${event.reason})`;
    case 'lock-retry':
      return (
        `   lock not granted, retry ${event.attempt} ` +
        `in ${formatDuration(event.delayMs)}${event.blockers[0] ? `: ${event.blockers[0]}` : ''}`
      );
    case 'gate':
      return `   gate before ${event.phase}: ${event.open ? 'open' : 'closed'}: ${event.reason}${lagText(event.lag)}`;
  }
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

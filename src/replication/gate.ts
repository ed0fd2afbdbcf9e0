import { setTimeout as sleep } from 'node:timers/promises';
import { formatBytes } from '../config/units.js';
import { GATE_RETRY_MS, GATE_SAMPLES, GATE_SAMPLE_WINDOW_MS } from '../defaults.js';
import type { LagSummary } from '../exec/events.js';
import type { LagProbe, LagReading } from './probe.js';

export interface LagLimits {
  maxLagMs: number;
  maxLagBytes: number;
}

export interface LagVerdict {
  open: boolean;
  /** Why the gate is closed (or "lag within limits"), naming the replica and the value seen. */
  reason: string;
  readings: LagReading[];
  /** Closed by a problem that waiting will not clear (LagReading.final). */
  final?: boolean;
}

/** Any replica over a limit, or one whose lag cannot be read, closes the gate (fail-safe). */
export function judgeLag(readings: LagReading[], limits: LagLimits, fraction = 1): LagVerdict {
  const maxMs = limits.maxLagMs * fraction;
  const maxBytes = limits.maxLagBytes * fraction;
  for (const r of readings) {
    if (r.warning && !r.problem) continue;
    if (r.problem)
      return {
        open: false,
        reason: `replica ${r.replica}: ${r.problem}`,
        readings,
        ...(r.final ? { final: true } : {}),
      };
    if (r.seconds !== null && r.seconds * 1000 > maxMs) {
      return {
        open: false,
        reason:
          `replica ${r.replica} is ${r.seconds.toFixed(2)}s ` +
          `behind${r.via ? ` by ${r.via}` : ''} (limit ${(maxMs / 1000).toFixed(2)}s)`,
        readings,
      };
    }
    if (r.bytes !== null && r.bytes > maxBytes) {
      return {
        open: false,
        reason: `replica ${r.replica} has ${formatBytes(r.bytes)} of WAL to replay (limit ${formatBytes(maxBytes)})`,
        readings,
      };
    }
  }
  return { open: true, reason: readings.length === 0 ? 'no replicas' : 'replica lag within limits', readings };
}

export function summarize(readings: LagReading[]): LagSummary[] {
  return readings.map((r) => ({
    replica: r.replica,
    seconds: r.seconds,
    bytes: r.bytes,
    ...(r.problem ? { problem: r.problem } : {}),
    ...(r.warning ? { warning: r.warning } : {}),
  }));
}

/** How long a phase gate samples lag before it opens, and how long it pauses between windows while closed. */
export interface GatePacing {
  sampleWindowMs: number;
  retryMs: number;
}

const DEFAULT_GATE_PACING: GatePacing = { sampleWindowMs: GATE_SAMPLE_WINDOW_MS, retryMs: GATE_RETRY_MS };

/**
 * The lag gate between phases: lag is sampled several times over a window, a second by default
 * (lag can appear after a backfill, when vacuum of its dead rows conflicts with replica queries),
 * and the gate waits for it to clear up to `timeoutMs`, except for a problem that waiting will not clear
 * (a wrong --replica URL or credentials, a promoted server), which it returns at once. Returns the
 * last verdict: closed means "wait".
 */
export async function waitForLagGate(
  probe: LagProbe,
  limits: LagLimits,
  options: {
    timeoutMs: number;
    signal?: AbortSignal;
    onClosed?: (v: LagVerdict, waitedMs: number) => void;
    pacing?: Partial<GatePacing>;
  },
): Promise<LagVerdict> {
  const pacing = { ...DEFAULT_GATE_PACING, ...options.pacing };
  const started = Date.now();
  for (;;) {
    const verdict = await sampleWindow(probe, limits, pacing.sampleWindowMs, options.signal);
    if (verdict.open || verdict.final || options.signal?.aborted) return verdict;
    const waited = Date.now() - started;
    options.onClosed?.(verdict, waited);
    if (waited >= options.timeoutMs) return verdict;
    await sleep(pacing.retryMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

async function sampleWindow(
  probe: LagProbe,
  limits: LagLimits,
  windowMs: number,
  signal?: AbortSignal,
): Promise<LagVerdict> {
  let last: LagVerdict | undefined;
  const interval = windowMs / (GATE_SAMPLES - 1);
  for (let i = 0; i < GATE_SAMPLES; i++) {
    if (i > 0) await sleep(interval, undefined, { signal }).catch(() => undefined);
    last = judgeLag(await probe.read(), limits);
    if (!last.open) return last;
  }
  return last!;
}

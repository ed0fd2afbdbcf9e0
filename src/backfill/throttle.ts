import { LAG_RESUME_FRACTION, SIGNAL_CACHE_MS } from '../defaults.js';
import { errorMessage } from '../errors.js';
import { judgeLag, type LagLimits, type LagVerdict } from '../replication/gate.js';
import type { LagProbe, LagReading } from '../replication/probe.js';
import type { Signal } from './signals.js';

export interface ThrottleVerdict {
  open: boolean;
  reason: string;
  readings: LagReading[];
}

/** A named throttle signal (signals.ts) whose answer is reused for `cacheMs`. */
export interface CachedSignal {
  name: string;
  read: Signal;
  cacheMs?: number;
}

/**
 * Decides, before every batch, whether the backfill may go on. Any signal can pause it and none
 * can force it on (gh-ost's throttle precedence): operator pause, then replica lag, then the other
 * signals in order. Readings are cached (lag for `cacheMs`, signals for their own) so the check
 * stays cheap; once paused on lag, lag must fall below half the limit before the run resumes, so
 * it does not flap at the threshold. check() may be called concurrently (parallel workers share one
 * throttle): callers arriving while a check is in flight get its verdict.
 */
export class Throttle {
  private cached: { at: number; readings: LagReading[] } | undefined;
  private readonly signalCache = new Map<string, { at: number; reason: string | null }>();
  private paused = false;
  private inFlight: Promise<ThrottleVerdict> | undefined;

  constructor(
    private readonly probe: LagProbe,
    private readonly limits: LagLimits,
    private readonly isPausedByOperator: () => Promise<string | null>,
    private readonly cacheMs = 250,
    private readonly signals: CachedSignal[] = [],
  ) {}

  check(): Promise<ThrottleVerdict> {
    return (this.inFlight ??= this.evaluate().finally(() => (this.inFlight = undefined)));
  }

  private async evaluate(): Promise<ThrottleVerdict> {
    const operator = await this.isPausedByOperator();
    if (operator !== null) return { open: false, reason: `paused by operator${operator ? `: ${operator}` : ''} (zdm resume continues)`, readings: this.cached?.readings ?? [] };
    const readings = await this.readings();
    const verdict: LagVerdict = judgeLag(readings, this.limits, this.paused ? LAG_RESUME_FRACTION : 1);
    this.paused = !verdict.open;
    if (!verdict.open) return verdict;
    for (const signal of this.signals) {
      const reason = await this.signal(signal);
      if (reason !== null) return { open: false, reason, readings };
    }
    return verdict;
  }

  private async readings(): Promise<LagReading[]> {
    const now = Date.now();
    // Near a limit the cache could let a batch or two through above it: read fresh there.
    const near = this.cached?.readings.some((r) => (r.bytes ?? 0) > this.limits.maxLagBytes / 2 || (r.seconds ?? 0) * 1000 > this.limits.maxLagMs / 2);
    if (!this.cached || near || now - this.cached.at >= this.cacheMs) this.cached = { at: now, readings: await this.probe.read() };
    return this.cached.readings;
  }

  private async signal(signal: CachedSignal): Promise<string | null> {
    const hit = this.signalCache.get(signal.name);
    if (hit && Date.now() - hit.at < (signal.cacheMs ?? SIGNAL_CACHE_MS)) return hit.reason;
    const reason = await signal.read().catch((err: unknown) => `cannot read the ${signal.name} signal: ${errorMessage(err)} (pausing until it can be read)`);
    this.signalCache.set(signal.name, { at: Date.now(), reason });
    return reason;
  }
}

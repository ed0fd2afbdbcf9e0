import { LAG_RESUME_FRACTION, SIGNAL_CACHE_MS } from '../defaults.js';
import { formatBytes } from '../config/units.js';
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
 *
 * Byte lag is also judged ahead (with `walPosition`, the primary's WAL insert position): a cached
 * reading plus the WAL written on the primary since it was taken (replay only lowers lag, so this
 * bounds the lag now from above), plus the WAL of batches in flight, plus the next batch's, must
 * stay within --max-lag-bytes; otherwise the lag is read fresh, and if that still does not leave
 * room for the batch, the run pauses. Judged only between batches, a limit is overshot by one
 * batch, or by several when the reading is cached (measured: 1.6x a 16 MB limit).
 */
export class Throttle {
  private cached: { at: number; readings: LagReading[]; walAt: number | undefined } | undefined;
  private readonly signalCache = new Map<string, { at: number; reason: string | null }>();
  private paused = false;
  private inFlight: Promise<ThrottleVerdict> | undefined;
  /** WAL bytes of the batches let through and not yet done(). */
  private reserved = 0;
  /** The newest WAL position a finished batch reported (done()). */
  private latestWal: number | undefined;

  constructor(
    private readonly probe: LagProbe,
    private readonly limits: LagLimits,
    private readonly isPausedByOperator: () => Promise<string | null>,
    private readonly cacheMs = 250,
    private readonly signals: CachedSignal[] = [],
    private readonly walPosition?: () => Promise<number>,
  ) {}

  /**
   * May a batch that writes about `batchWalBytes` of WAL start now? When the answer is open, those
   * bytes count as in flight until done(batchWalBytes).
   */
  async check(batchWalBytes = 0): Promise<ThrottleVerdict> {
    let verdict = await this.shared();
    if (!verdict.open || batchWalBytes <= 0 || !this.walPosition) return this.admit(verdict, batchWalBytes);
    if (!(await this.overAhead(batchWalBytes))) return this.admit(verdict, batchWalBytes);
    this.cached = undefined;
    verdict = await this.shared();
    if (!verdict.open) return verdict;
    const over = await this.overAhead(batchWalBytes);
    if (!over) return this.admit(verdict, batchWalBytes);
    this.paused = true;
    return { open: false, reason: over, readings: verdict.readings };
  }

  /**
   * A batch let through by check(batchWalBytes) has committed or failed; `walEnd`: the primary's
   * WAL insert position at its end, so the next check need not query it.
   */
  done(batchWalBytes: number, walEnd?: number): void {
    this.reserved = Math.max(0, this.reserved - batchWalBytes);
    if (walEnd !== undefined) this.latestWal = Math.max(this.latestWal ?? 0, walEnd);
  }

  private admit(verdict: ThrottleVerdict, batchWalBytes: number): ThrottleVerdict {
    if (verdict.open) this.reserved += batchWalBytes;
    return verdict;
  }

  private shared(): Promise<ThrottleVerdict> {
    return (this.inFlight ??= this.evaluate().finally(() => (this.inFlight = undefined)));
  }

  /** Why a batch of `batchWalBytes` would take a replica over the byte limit, or null. */
  private async overAhead(batchWalBytes: number): Promise<string | null> {
    const cached = this.cached;
    const withBytes = cached?.readings.filter((r) => r.bytes !== null && !r.warning) ?? [];
    if (!cached || cached.walAt === undefined || withBytes.length === 0) return null;
    // Batches in flight are reserved; finished ones reported where the WAL was when they ended.
    const walNow = this.latestWal ?? (await this.walPosition!());
    const since = Math.max(0, walNow - cached.walAt);
    // A batch larger than half the limit on its own (a tiny limit) still runs on a caught-up replica.
    const next = Math.min(batchWalBytes, this.limits.maxLagBytes / 2);
    for (const r of withBytes) {
      const ahead = r.bytes! + since + this.reserved;
      if (ahead + next <= this.limits.maxLagBytes) continue;
      const inFlight = this.reserved > 0 ? `, batches in flight ${formatBytes(this.reserved)}` : '';
      return (
        `replica ${r.replica} has up to ${formatBytes(ahead)} of WAL to replay ` +
        `(${formatBytes(r.bytes!)} read, ${formatBytes(since)} written since${inFlight}) and the ` +
        `next batch writes about ${formatBytes(batchWalBytes)} ` +
        `(limit ${formatBytes(this.limits.maxLagBytes)})`
      );
    }
    return null;
  }

  /**
   * The operator, the lag and the other signals are read at once (one round trip's wait, not one per
   * signal); precedence applies to the answers.
   */
  private async evaluate(): Promise<ThrottleVerdict> {
    const [operator, readings, reasons] = await Promise.all([
      this.isPausedByOperator(),
      this.readings(),
      Promise.all(this.signals.map((s) => this.signal(s))),
    ]);
    if (operator !== null)
      return {
        open: false,
        reason: `paused by operator${operator ? `: ${operator}` : ''} (zdm resume continues)`,
        readings,
      };
    const verdict: LagVerdict = judgeLag(readings, this.limits, this.paused ? LAG_RESUME_FRACTION : 1);
    this.paused = !verdict.open;
    if (!verdict.open) return verdict;
    const reason = reasons.find((r) => r !== null);
    return reason ? { open: false, reason, readings } : verdict;
  }

  private async readings(): Promise<LagReading[]> {
    const now = Date.now();
    // Near a limit the cache could let a batch or two through above it: read fresh there.
    const near = this.cached?.readings.some(
      (r) => (r.bytes ?? 0) > this.limits.maxLagBytes / 2 || (r.seconds ?? 0) * 1000 > this.limits.maxLagMs / 2,
    );
    if (!this.cached || near || now - this.cached.at >= this.cacheMs) {
      // The WAL position first: bytes written after it are counted ahead (overAhead) even if the readings saw them.
      const walAt = await this.walPosition?.();
      this.cached = { at: now, readings: await this.probe.read(), walAt };
    }
    return this.cached.readings;
  }

  private async signal(signal: CachedSignal): Promise<string | null> {
    const hit = this.signalCache.get(signal.name);
    if (hit && Date.now() - hit.at < (signal.cacheMs ?? SIGNAL_CACHE_MS)) return hit.reason;
    const reason = await signal
      .read()
      .catch(
        (err: unknown) => `cannot read the ${signal.name} signal: ${errorMessage(err)} (pausing until it can be read)`,
      );
    this.signalCache.set(signal.name, { at: Date.now(), reason });
    return reason;
  }
}

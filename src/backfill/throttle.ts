import { LAG_RESUME_FRACTION } from '../defaults.js';
import { judgeLag, type LagLimits, type LagVerdict } from '../replication/gate.js';
import type { LagProbe, LagReading } from '../replication/probe.js';

export interface ThrottleVerdict {
  open: boolean;
  reason: string;
  readings: LagReading[];
}

/**
 * Decides, before every batch, whether the backfill may go on. Any signal can pause it and none
 * can force it on (gh-ost's throttle precedence). Lag readings are cached for `cacheMs` so the
 * check stays cheap; once paused, lag must fall below half the limit before the run resumes, so
 * it does not flap at the threshold.
 */
export class Throttle {
  private cached: { at: number; readings: LagReading[] } | undefined;
  private paused = false;

  constructor(
    private readonly probe: LagProbe,
    private readonly limits: LagLimits,
    private readonly isPausedByOperator: () => Promise<string | null>,
    private readonly cacheMs = 250,
  ) {}

  async check(): Promise<ThrottleVerdict> {
    const operator = await this.isPausedByOperator();
    if (operator !== null) return { open: false, reason: `paused by operator${operator ? `: ${operator}` : ''} (zdm resume continues)`, readings: this.cached?.readings ?? [] };
    const readings = await this.readings();
    const verdict: LagVerdict = judgeLag(readings, this.limits, this.paused ? LAG_RESUME_FRACTION : 1);
    this.paused = !verdict.open;
    return verdict;
  }

  private async readings(): Promise<LagReading[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= this.cacheMs) this.cached = { at: now, readings: await this.probe.read() };
    return this.cached.readings;
  }
}

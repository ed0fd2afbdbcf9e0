import pg from 'pg';
import { formatBytes } from '../config/units.js';
import { primaryLagProbe } from '../replication/probe.js';

/** Samples replica lag from the primary every 200 ms for the demo's report. */
export class LagWatcher {
  private readonly pool: pg.Pool;
  private timer: NodeJS.Timeout | undefined;
  private maxSeconds = 0;
  private maxBytes = 0;
  private samples = 0;
  private replicas = new Set<string>();

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'zdm demo lag watcher' });
    this.pool.on('error', () => undefined);
  }

  start(): void {
    const probe = primaryLagProbe(this.pool);
    this.timer = setInterval(() => {
      void probe
        .read()
        .then((readings) => {
          this.samples++;
          for (const r of readings) {
            this.replicas.add(r.replica);
            this.maxSeconds = Math.max(this.maxSeconds, r.seconds ?? 0);
            this.maxBytes = Math.max(this.maxBytes, r.bytes ?? 0);
          }
        })
        .catch(() => undefined);
    }, 200);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.end();
  }

  summary(): string {
    if (this.replicas.size === 0) return 'no replica seen';
    return (
      `peak ${this.maxSeconds.toFixed(3)} s and ${formatBytes(this.maxBytes)} of unreplayed ` +
      `WAL on ${[...this.replicas].join(', ')} (${this.samples} samples)`
    );
  }
}

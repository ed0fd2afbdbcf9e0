import type { Logger } from 'pino';
import type { ResolvedConfig } from '../config/settings.js';
import { ConfigError } from '../errors.js';
import type { RunnerEvent } from '../exec/events.js';
import type { FleetProgress, TargetOutcome } from '../fleet/run.js';
import type { FleetEntry, FleetTarget } from '../fleet/targets.js';
import type { FleetCommand } from '../fleet/work.js';
import type { Phase } from '../plan/types.js';
import type { GatePacing } from '../replication/gate.js';
import { resolveSettings, type ZdmSettings } from './create.js';

export type { FleetCommand, FleetEntry, FleetProgress, FleetTarget, TargetOutcome };
export type { TargetStatus } from '../fleet/run.js';

/** runFleet's options: the settings of zdm.config.json (applied to every target), then the fleet's own. */
export interface RunFleetOptions extends ZdmSettings {
  /** What to run on each target, as `zdm fleet <command>`. */
  command: FleetCommand;
  /** Targets, as in zdm.fleet.json: database URLs, and/or `{ name?, databaseUrl, replicas?, schemas?, schemasQuery? }`. */
  targets: readonly FleetEntry[];
  /** The phase to stop after (required by `advance`, so a second run resumes instead of moving on). */
  until?: Phase;
  /** These many targets first, all the way; the rest start only if every canary is done (default 0). */
  canary?: number;
  /** Targets worked on at once after the canaries (default 4). */
  concurrency?: number;
  /** `stop` (default): start no new target once one failed; `continue`: go on with the others. */
  onFailure?: 'stop' | 'continue';
  /** Wait this long for a target's runner lock before reporting it `locked` (default 0). */
  lockWaitMs?: number;
  /** Called with every runner event of every target. */
  onEvent?: (target: FleetTarget, event: RunnerEvent) => void;
  /** Called when a target starts or finishes, with the fleet's counts (and the finished target's outcome). */
  onProgress?: (progress: FleetProgress) => void;
  /** A pino logger for zdm's log lines, with a `target` field (default: silent). */
  logger?: Logger;
  /** Aborting it stops every target at its next safe point (their outcomes: `interrupted`/`not-started`). */
  signal?: AbortSignal;
  /** Base of a relative migrationsDir (default process.cwd()). */
  cwd?: string;
}

/** The counts of a fleet run (`failed` includes `interrupted`). */
export interface FleetSummary {
  total: number;
  done: number;
  failed: number;
  waiting: number;
  locked: number;
  notStarted: number;
  ms: number;
}

/** What runFleet returns, and `zdm fleet <command> --json` prints: the counts and one outcome per target. */
export interface FleetResult {
  command: FleetCommand;
  summary: FleetSummary;
  targets: TargetOutcome[];
}

/** A fleet run with its settings resolved: what runFleet and `zdm fleet` both run. */
export interface FleetRun {
  command: FleetCommand;
  /** Checked entries (parseEntries: the fleet file's schema), not bare URLs. */
  entries: readonly Exclude<FleetEntry, string>[];
  config: ResolvedConfig;
  cwd: string;
  until?: Phase;
  canary: number;
  concurrency: number;
  onFailure: 'stop' | 'continue';
  lockWaitMs: number;
  signal: AbortSignal;
  log?: Logger;
  onEvent?: (target: FleetTarget, event: RunnerEvent) => void;
  onProgress?: (progress: FleetProgress) => void;
  gatePacing?: Partial<GatePacing>;
}

const RUNTIME_KEYS = [
  'command',
  'targets',
  'until',
  'canary',
  'concurrency',
  'onFailure',
  'lockWaitMs',
  'onEvent',
  'onProgress',
  'logger',
  'signal',
  'cwd',
] as const;
const COMMANDS: readonly FleetCommand[] = ['plan', 'advance', 'rollback', 'status'];

/**
 * Runs one fleet command (`plan`, `advance`, `rollback`, `status`) on many targets, as `zdm fleet`
 * does: each target its own Zdm (connections, runner lock, state, replicas), canaries first, then up
 * to `concurrency` at once. Bad options throw a ConfigError; a target's failure, held lock or closed
 * gate is its outcome (`failed`, `locked`, `waiting`), never thrown. Running it again resumes.
 */
export async function runFleet(options: RunFleetOptions): Promise<FleetResult> {
  const cwd = options.cwd ?? process.cwd();
  const config = resolveSettings('runFleet', options, RUNTIME_KEYS, cwd);
  const canary = options.canary ?? 0;
  const concurrency = options.concurrency ?? 4;
  if (!COMMANDS.includes(options.command))
    throw new ConfigError(`runFleet: command: expected one of ${COMMANDS.join(', ')}`);
  if (options.command === 'advance' && !options.until)
    throw new ConfigError('runFleet: advance needs until, so running it again resumes instead of moving on');
  if (!Number.isInteger(canary) || canary < 0) throw new ConfigError('runFleet: canary: expected a whole number >= 0');
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConfigError('runFleet: concurrency: expected a whole number >= 1');
  const { parseEntries } = await import('../fleet/targets.js');
  return executeFleet({
    command: options.command,
    entries: parseEntries('runFleet', { targets: options.targets }),
    config,
    cwd,
    canary,
    concurrency,
    onFailure: options.onFailure ?? 'stop',
    lockWaitMs: options.lockWaitMs ?? 0,
    signal: options.signal ?? new AbortController().signal,
    ...(options.until ? { until: options.until } : {}),
    ...(options.logger ? { log: options.logger } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/**
 * The one fleet path: runFleet and the CLI's `zdm fleet` (which resolves its settings from flags and
 * its entries from the fleet file, checked as it is read). Each caller checks its own input.
 */
export async function executeFleet(run: FleetRun): Promise<FleetResult> {
  const [{ resolveTargets }, { fleetWork }, { runOnTargets }] = await Promise.all([
    import('../fleet/targets.js'),
    import('../fleet/work.js'),
    import('../fleet/run.js'),
  ]);
  const targets = await resolveTargets(run.entries);
  const work = fleetWork(run.command, {
    config: run.config,
    cwd: run.cwd,
    signal: run.signal,
    lockWaitMs: run.lockWaitMs,
    ...(run.log ? { log: run.log } : {}),
    ...(run.until ? { until: run.until } : {}),
    ...(run.onEvent ? { onEvent: run.onEvent } : {}),
    ...(run.gatePacing ? { gatePacing: run.gatePacing } : {}),
  });
  const started = Date.now();
  const outcomes = await runOnTargets(targets, work, {
    canary: run.canary,
    concurrency: run.concurrency,
    onFailure: run.onFailure,
    signal: run.signal,
    ...(run.onProgress ? { onProgress: run.onProgress } : {}),
  });
  return { command: run.command, summary: summarize(outcomes, Date.now() - started), targets: outcomes };
}

function summarize(outcomes: TargetOutcome[], ms: number): FleetSummary {
  const n = (status: TargetOutcome['status'][]) => outcomes.filter((o) => status.includes(o.status)).length;
  return {
    total: outcomes.length,
    done: n(['done']),
    failed: n(['failed', 'interrupted']),
    waiting: n(['waiting']),
    locked: n(['locked']),
    notStarted: n(['not-started']),
    ms,
  };
}

import type { Logger } from 'pino';
import { Zdm, type GatePacing } from '../api/zdm.js';
import type { ResolvedConfig } from '../config/settings.js';
import { errorHeadline, errorMessage, InterruptedError, LockHeldError, StateError } from '../errors.js';
import type { RunnerEvent } from '../exec/events.js';
import type { Phase } from '../plan/types.js';
import type { TargetOutcome, TargetWork } from './run.js';
import type { FleetTarget } from './targets.js';

export type FleetCommand = 'plan' | 'advance' | 'rollback' | 'status';

export interface FleetWorkOptions {
  config: ResolvedConfig;
  cwd: string;
  log?: Logger;
  signal: AbortSignal;
  until?: Phase;
  lockWaitMs: number;
  onEvent?: (target: FleetTarget, event: RunnerEvent) => void;
  gatePacing?: Partial<GatePacing>;
}

type Outcome = Omit<TargetOutcome, 'target' | 'ms'>;

/**
 * The work of one fleet command on one target, through its own Zdm: its own connections, runner
 * lock and state (a tenant schema's state lives in `<stateSchema>_<schema>`), and its own replicas.
 */
export function fleetWork(command: FleetCommand, o: FleetWorkOptions): TargetWork {
  return async (target) => {
    const zdm = targetZdm(target, command, o);
    try {
      return await COMMANDS[command](zdm, o);
    } catch (err) {
      if (err instanceof LockHeldError || err instanceof InterruptedError) throw err;
      return failure(zdm, err);
    } finally {
      await zdm.close();
    }
  };
}

function targetZdm(target: FleetTarget, command: FleetCommand, o: FleetWorkOptions): Zdm {
  return new Zdm({
    config: {
      ...o.config,
      databaseUrl: target.databaseUrl,
      ...(target.schema ? { stateSchema: `${o.config.stateSchema}_${target.schema}` } : {}),
      ...(target.replicas ? { replicas: target.replicas } : {}),
    },
    cwd: o.cwd,
    label: `fleet ${command}`,
    ...(o.log ? { log: o.log.child({ target: target.name }) } : {}),
    signal: o.signal,
    ...(target.schema ? { schema: target.schema } : {}),
    ...(o.gatePacing ? { gatePacing: o.gatePacing } : {}),
    ...(o.onEvent ? { onEvent: (e: RunnerEvent) => o.onEvent!(target, e) } : {}),
  });
}

const COMMANDS: Record<FleetCommand, (zdm: Zdm, o: FleetWorkOptions) => Promise<Outcome>> = {
  async plan(zdm) {
    const plan = await zdm.plan();
    if (plan.kind === 'nothing-pending') return ok(null, null, 'nothing pending');
    const steps = plan.plan.steps.length;
    return ok(plan.plan.migration, null, `${plan.kind === 'recorded' ? 'active, ' : ''}${steps} steps`);
  },
  async advance(zdm, o) {
    const result = await zdm.advance({ ...(o.until ? { until: o.until } : {}), lockWaitMs: o.lockWaitMs });
    switch (result.kind) {
      case 'nothing-pending':
        return ok(null, null, 'nothing pending');
      case 'advanced':
        return ok(result.migration, result.phase, result.ran.length ? `ran ${result.ran.join(', ')}` : 'already there');
      case 'waiting':
        return { ...ok(result.migration, result.phase, `waiting: ${result.reason}`), status: 'waiting' };
      case 'locked':
        throw new LockHeldError(result.message, result.holder ?? undefined);
    }
  },
  async rollback(zdm, o) {
    const result = await zdm.rollback({ lockWaitMs: o.lockWaitMs });
    if (result.kind === 'locked') throw new LockHeldError(result.message, result.holder ?? undefined);
    if (result.kind === 'nothing-active') return ok(null, null, 'nothing active');
    return ok(result.migration, null, `rolled back (${result.undone.length} steps undone)`);
  },
  async status(zdm) {
    const report = await zdm.status();
    const active = report.migrations.find((m) => m.status === 'active');
    const pending = report.migrations.filter((m) => m.status === 'pending').length;
    const last = [...report.migrations].reverse().find((m) => m.status === 'complete');
    const shown = active ?? last;
    const note = active
      ? `active, next: ${active.nextPhase ?? '-'}${active.lastError ? `; last error: ${errorHeadline(active.lastError)}` : ''}`
      : `${pending} pending`;
    return {
      ...ok(shown?.name ?? null, shown?.phase ?? null, note),
      ...(active?.lastError ? { status: 'failed' as const, error: active.lastError } : {}),
    };
  },
};

function ok(migration: string | null, phase: Phase | null, note: string): Outcome {
  return { migration, phase, status: 'done', note, error: null };
}

/** A failure, with the active migration and phase it left (read back from the target's state). */
async function failure(zdm: Zdm, err: unknown): Promise<Outcome> {
  const active = await zdm
    .status()
    .then((r) => r.migrations.find((m) => m.status === 'active'))
    .catch(() => undefined);
  const phase = active?.currentPhase ?? active?.phase ?? null;
  const note = err instanceof StateError ? 'refused' : active?.currentPhase ? `failed in ${phase}` : 'failed';
  return { migration: active?.name ?? null, phase, status: 'failed', note, error: errorMessage(err) };
}

/**
 * A consumer project's script (compiled with tsc against the installed package's types, then run):
 * drives one migration through every phase with the library API only.
 */
import {
  createZdm,
  runFleet,
  ConfigError,
  type AdvanceOutcome,
  type FleetResult,
  type LintResult,
  type RunnerEvent,
  type Zdm,
} from 'zdm';

// The package's types are real types, not `any` (an unresolved import in a .d.ts would make them any).
type IsAny<T> = 0 extends 1 & T ? true : false;
const typed: [IsAny<AdvanceOutcome>, IsAny<LintResult>, IsAny<Zdm>, IsAny<RunnerEvent>, IsAny<FleetResult>] = [
  false,
  false,
  false,
  false,
  false,
];

const [databaseUrl = '', migrationsDir = ''] = process.argv.slice(2);
const log: unknown[] = [];
void typed;
const events: RunnerEvent['type'][] = [];

try {
  createZdm({ databaseUrl, batchSize: 0 });
} catch (err) {
  log.push({ configError: err instanceof ConfigError, message: (err as Error).message });
}

const zdm = createZdm({ databaseUrl, migrationsDir, lockTimeout: '2s', gateTimeout: '10s', maxLag: '5s' });
const reading = (async () => {
  for await (const event of zdm.events()) events.push(event.type);
})();
try {
  const plan = await zdm.plan();
  log.push({ plan: plan.kind, steps: plan.kind === 'nothing-pending' ? 0 : plan.plan.steps.length });
  const expand: AdvanceOutcome = await zdm.advance();
  log.push({ advance: expand.kind, ran: expand.kind === 'advanced' ? expand.ran : [] });
  log.push({ pause: (await zdm.pause({ reason: 'consumer' })).kind });
  log.push({ statusPaused: (await zdm.status()).migrations[0]?.paused });
  log.push({ resume: (await zdm.resume()).kind });
  const rolled = await zdm.rollback();
  log.push({ rollback: rolled.kind, undone: rolled.kind === 'rolled-back' ? rolled.undone.length : 0 });
  const all = await zdm.advance({ until: 'contract' });
  log.push({
    advance: all.kind,
    ran: all.kind === 'advanced' ? all.ran : [],
    complete: all.kind === 'advanced' && all.complete,
  });
  log.push({ rollbackAfter: (await zdm.rollback()).kind, pauseAfter: (await zdm.pause()).kind });
  const lint = await zdm.lint({ sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;' });
  log.push({ lint: lint.kind, rules: lint.findings.map((f) => f.rule) });
} finally {
  await zdm.close();
}
await reading;
// Fleet mode from code: the same database as a one-target fleet, where the migration is complete.
const fleet: FleetResult = await runFleet({
  command: 'status',
  targets: [{ name: 'one', databaseUrl }],
  migrationsDir,
});
log.push({ fleet: fleet.targets.map((t) => [t.target, t.migration, t.phase, t.status]) });
log.push({ events: [...new Set(events)].sort() });
process.stdout.write(`${JSON.stringify(log)}\n`);

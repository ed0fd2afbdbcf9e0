import { Option } from 'commander';
import { PHASES } from '../../plan/types.js';
import { addCommonOptions } from '../options.js';
import type { FleetFlags } from '../actions/fleet.js';
import type { RegisterCommand } from './types.js';

const COMMANDS = {
  plan: 'the plan of each target (its active migration, else the next pending one)',
  advance: 'advance every target to --until (canaries first, then --concurrency at once); rerun to resume',
  rollback: 'roll back the active migration of every target that has one (failed ones included)',
  status: 'where every target stands: migration, phase, last error',
} as const;

export const registerFleet: RegisterCommand = (program, io, run) => {
  const fleet = program
    .command('fleet')
    .description('one migration across many databases and tenant schemas (zdm.fleet.json / .yaml, or --target)');
  for (const [name, description] of Object.entries(COMMANDS)) {
    const cmd = fleet
      .command(name)
      .description(description)
      .option('--fleet <file>', 'fleet file (default ./zdm.fleet.json, .yaml or .yml)')
      .option(
        '--target <url>',
        'a target database, or <url>#<schema> for a tenant schema (repeatable; with a fleet file, ' +
          'added to it only when --fleet is given)',
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option('--canary <n>', 'run this many targets first, all the way; the rest only if they all finish', '0')
      .option('--concurrency <k>', 'targets worked on at once', '4')
      .addOption(
        new Option('--on-failure <mode>', 'stop starting new targets after a failure, or continue')
          .choices(['stop', 'continue'])
          .default('stop'),
      )
      .option('--lock-wait <duration>', "wait this long for another runner's lock on a target", '0s')
      .option('--lock-timeout <duration>', 'longest wait for a lock before a retry, e.g. 2s (env ZDM_LOCK_TIMEOUT)');
    // --json (the summary as JSON on stdout) comes with the common options.
    if (name === 'advance')
      cmd
        .addOption(new Option('--until <phase>', 'run every target up to this phase (required)').choices([...PHASES]))
        .option('--gate-timeout <duration>', 'how long a closed gate is waited for on a target (default 60s)')
        .option('--max-lag <duration>', 'pause above this replica lag (default 1s)')
        .option('--batch-size <rows>', 'first backfill batch size')
        .option('--max-rows-per-second <n>', 'cap each target backfill rate');
    addCommonOptions(cmd).action((opts: FleetFlags) =>
      run(async () => (await import('../actions/fleet.js')).runFleetCommand(io, name as keyof typeof COMMANDS, opts)),
    );
  }
};

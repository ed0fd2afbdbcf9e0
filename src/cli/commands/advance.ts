import { Option } from 'commander';
import { PHASES, type Phase } from '../../plan/types.js';
import { addCommonOptions, addSafetyOptions } from '../options.js';
import type { RunnerOptions } from '../runtime.js';
import type { RegisterCommand } from './types.js';

export const registerAdvance: RegisterCommand = (program, io, run) => {
  const cmd = program
    .command('advance')
    .description('run the next phase of the active migration (or start the next pending one) and stop')
    .addOption(new Option('--until <phase>', 'run phases up to and including this one').choices([...PHASES]))
    .option(
      '--gate-timeout <duration>',
      'how long a closed gate is waited for before exiting 5 (env ZDM_GATE_TIMEOUT; default 60s)',
    )
    .option('--max-lag <duration>', 'pause above this replica lag (env ZDM_MAX_LAG; default 1s)')
    .option('--max-lag-bytes <size>', 'pause above this much unreplayed WAL (env ZDM_MAX_LAG_BYTES; default 64MB)')
    .option(
      '--replica <url>',
      'also measure lag on this replica (repeatable; env ZDM_REPLICAS)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--batch-size <rows>', 'first backfill batch size (env ZDM_BATCH_SIZE)')
    .option('--target-batch-ms <ms>', 'backfill batch duration to aim at (env ZDM_TARGET_BATCH_MS; default 200)')
    .option('--max-rows-per-second <n>', 'cap the backfill rate (env ZDM_MAX_ROWS_PER_SECOND)')
    .option('--workers <n>', 'parallel backfill workers (env ZDM_WORKERS)')
    .option(
      '--join',
      'help a parallel backfill another zdm advance is running (claims its chunks; ' +
        'takes no runner lock, moves no phase)',
    )
    .option(
      '--throttle-query <sql>',
      'pause the backfill while this query returns a true first column (env ZDM_THROTTLE_QUERY)',
    )
    .option(
      '--max-xact-age <duration>',
      'pause the backfill while a transaction has been open longer than this; ' +
        '0 disables (env ZDM_MAX_XACT_AGE; default 10m)',
    )
    .option(
      '--allow-missing-replica',
      'an unreachable --replica is a warning instead of a closed gate (env ZDM_ALLOW_MISSING_REPLICA)',
    )
    .option(
      '--allow-wal-risk',
      'warn instead of refusing a backfill that may outrun WAL retention for a replica (env ZDM_ALLOW_WAL_RISK)',
    );
  addSafetyOptions(addCommonOptions(cmd)).action(
    (opts: RunnerOptions & { until?: Phase; lockWait: string; join?: boolean }) =>
      run(async () => (await import('../actions/advance.js')).runAdvance(io, opts)),
  );
};

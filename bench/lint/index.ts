/**
 * `npm run bench -- lint`: zdm lint against squawk (squawk-cli), speed and agreement.
 *
 * Speed (bench/lint/speed.ts): 2,000 generated files, 20,000 statements; each tool runs
 * ZDM_BENCH_LINT_RUNS times (default 9), alternating, and the medians of whole-process wall time and
 * CPU time are reported. Agreement (bench/lint/agreement.ts): the 183-case corpus test/lint/corpus.
 * Start-up (bench/lint/startup.ts): one small file, the same number of runs, CPU time against squawk.
 * Writes the `lint` and `lint-startup` sections of BENCHMARKS.md and the per-case verdicts in bench/lint/RESULTS.md.
 * ZDM_BENCH_LINT_BASELINE=<dir> (and ZDM_BENCH_LINT_BASELINE_LABEL) also times another zdm build
 * in the same runs (bench/lint/speed.ts).
 */
import { loadavg } from 'node:os';
import { fmt, loadRemark, machine, median, writeSection } from '../report.js';
import { agreement } from './agreement.js';
import { SQUAWK_VERSION } from './squawk.js';
import { measureSpeed, speedTable } from './speed.js';
import { measureStartup, writeStartupSection } from './startup.js';

const RUNS = Number(process.env.ZDM_BENCH_LINT_RUNS ?? 9);
const RESULTS = new URL('./RESULTS.md', import.meta.url);

export async function benchLint(): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ');
  const loadBefore = load();
  const remark = loadRemark(loadavg()[0]!);
  const speed = measureSpeed(RUNS, (l) => process.stderr.write(`${l}\n`));
  const startup = measureStartup(RUNS, (l) => process.stderr.write(`${l}\n`));
  const loadAfter = load();
  writeStartupSection(startup, {
    date,
    squawkVersion: speed.squawkVersion,
    load: `${loadBefore} before, ${loadAfter} after`,
    remark,
  });
  const agree = await agreement();
  if (agree.missing)
    throw new Error(
      `${agree.missing} disagreements have no verdict in bench/lint/verdicts.json: run npx tsx bench/lint/agreement.ts`,
    );

  const baselineEnv = process.env.ZDM_BENCH_LINT_BASELINE
    ? `ZDM_BENCH_LINT_BASELINE=${process.env.ZDM_BENCH_LINT_BASELINE} `
    : '';
  const zdm = speed.tools[0]!;
  const squawkTimes = speed.tools.at(-1)!;
  const base = process.env.ZDM_BENCH_LINT_BASELINE ? speed.tools[1] : undefined;
  const baselineLine = base
    ? ` The baseline build (${process.env.ZDM_BENCH_LINT_BASELINE_LABEL ?? process.env.ZDM_BENCH_LINT_BASELINE}), same runs: ${(median(base.ms) / median(squawkTimes.ms)).toFixed(2)}x squawk's wall time; this build takes ${((median(zdm.ms) / median(base.ms)) * 100).toFixed(0)}% of its wall time${base.cpu.length && zdm.cpu.length ? ` and ${((median(zdm.cpu) / median(base.cpu)) * 100).toFixed(0)}% of its CPU time` : ''}.`
    : '';
  const wallRatio = median(zdm.ms) / median(squawkTimes.ms);
  const cpuRatio = zdm.cpu.length && squawkTimes.cpu.length ? median(zdm.cpu) / median(squawkTimes.cpu) : undefined;
  const gnuTime = speed.gnuTime
    ? ' CPU time is the user + system time of the whole process, all threads (GNU time, `/usr/bin/time`); it depends less on the other load than wall time.'
    : ' CPU time: not measured (no /usr/bin/time).';

  writeSection(
    'lint',
    `## Lint: \`zdm lint\` against squawk

\`${baselineEnv}npm run bench -- lint\` (${speed.runs} runs per tool, alternating, medians), ${date}, ${machine()}, squawk ${speed.squawkVersion} (\`squawk-cli\` ${SQUAWK_VERSION} from npm, a native Rust binary, installed on first use by \`bench/lint/squawk.ts\`). Load average (1 / 5 / 15 min) ${loadBefore} before the speed runs, ${loadAfter} after: ${remark}.

### Speed: ${fmt(speed.files)} files, ${fmt(speed.statements)} statements

\`bench/lint/speed.ts\` generates ${fmt(speed.files)} \`.sql\` files of ${speed.statements / speed.files} statements each (a deterministic mix of safe and dangerous DDL, DML, comments and string literals that mention DDL) into a temporary directory and runs, in turn: \`node bin/zdm.js lint migrations --format json\`${base ? ' (and the same with the baseline build)' : ''}, the same lint command from dist/ as tsc writes it, one module per source file, instead of the esbuild bundle bin/zdm.js runs (\`node bench/lint/lint-only.mjs migrations --format json\`), and \`squawk --reporter json 'migrations/*.sql'\`. Wall time is the whole process, start-up included, as a user sees it.${gnuTime}

${speedTable(speed)}

**zdm / squawk: ${wallRatio.toFixed(2)}x wall time${cpuRatio === undefined ? '' : `, ${cpuRatio.toFixed(2)}x CPU time`}** (target: within 2x wall time: ${wallRatio <= 2 ? 'met' : 'not met'} in this run).${baselineLine} Both exit non-zero because the corpus has errors (zdm 3, squawk 1). squawk spreads files over its threads; zdm lints on one thread by default (\`ZDM_LINT_THREADS=N\` opts into worker threads: on 2 cores they cost more than they save).

### Agreement with squawk: ${agree.cases} cases

\`npx tsx bench/lint/agreement.ts\` (run by the same command): zdm's default profile (PG 15) and squawk's default rules minus its style and session rules (opt-in in zdm), squawk's rule names mapped to zdm's.

- Corpus: ${agree.cases} cases (${agree.dangerous} dangerous, ${agree.safe} safe), \`test/lint/corpus/\`.
- Agree (same problems reported): ${agree.agree}; disagree: ${agree.disagree}.
- Dangerous/safe verdict equal to the expectation recorded in each case's header: zdm ${agree.zdmVerdictRight}/${agree.cases}, squawk ${agree.squawkVerdictRight}/${agree.cases}.

Every disagreement, with which tool is right and why: [bench/lint/RESULTS.md](bench/lint/RESULTS.md) (written by the same run; the verdicts are kept in \`bench/lint/verdicts.json\`).`,
  );
  writeSection(
    'lint-agreement',
    `Written by \`npm run bench -- lint\` on ${date} (squawk ${speed.squawkVersion}); \`npx tsx bench/lint/agreement.ts\` prints the same.

${agree.markdown}`,
    RESULTS,
  );
  process.stderr.write(
    `zdm / squawk: ${wallRatio.toFixed(2)}x wall${cpuRatio === undefined ? '' : `, ${cpuRatio.toFixed(2)}x CPU`}; agreement ${agree.agree}/${agree.cases}\n`,
  );
}

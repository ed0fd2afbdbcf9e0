import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { testBackends } from './harness/backends.js';

/**
 * One vitest run, several projects:
 * - `unit`: files named *.test.ts that need no server (planning, parsing, linting);
 * - per Postgres backend: `*.db.test.ts` files, in parallel, each file in its own database of one
 *   shared primary + streaming replica; `*.lag.test.ts` files one at a time on a second cluster
 *   (beside the others: they pause WAL replay and would make every other file's lag gate wait).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const backends = testBackends();
/** Unit files that vi.mock a module: with a shared module graph the mock could reach other files. */
const MOCKING_UNIT_FILES = ['test/cli/lint-args.test.ts'];

/**
 * The suite's longest files (idle run of 2026-12-04: 50-104 s each, most of them on both backends).
 * Vitest orders files project by project (its default sequencer compares project names before
 * durations), so pg15-system's long files started only after every pg-embedded file and set the
 * run's tail; a fresh clone has no duration cache either. These start first, in this order, in
 * whatever project; the rest keep the default order behind them.
 */
const LONGEST = [
  'test/examples/from-pgroll.db.test.ts',
  'test/operations/partitioned.db.test.ts',
  'test/trace/operations.db.test.ts',
  'test/rehearse/rehearse.db.test.ts',
  'test/api/consumer.db.test.ts',
  'test/rehearse/examples.db.test.ts',
  'test/operations/change-column-type.db.test.ts',
  'test/operations/combined-operations.db.test.ts',
  'test/backfill/parallel.db.test.ts',
  'test/demo/demo.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST.indexOf(relative(root, f.moduleId).replaceAll('\\', '/'));
      return i < 0 ? LONGEST.length : i;
    };
    const group = (f: TestSpecification) => f.project.config.sequence.groupOrder;
    return sorted.sort((a, b) => group(a) - group(b) || rank(a) - rank(b));
  }
}

const dbProjects = backends.flatMap((backend) => [
  {
    extends: true as const,
    test: {
      name: backend.id,
      include: ['test/**/*.db.test.ts'],
      globalSetup: ['test/harness/global-setup.ts'],
      provide: { backend },
      sequence: { groupOrder: 0 },
      // Files share one module graph per worker, as in the unit project (each file still has its own
      // database); measured on test/operations: CPU 115 s -> 64 s. No db file mocks a module.
      isolate: false,
    },
  },
  {
    extends: true as const,
    test: {
      name: `${backend.id}-lag`,
      include: ['test/**/*.lag.test.ts'],
      globalSetup: ['test/harness/global-setup.ts'],
      provide: { backend },
      fileParallelism: false,
      // Its own cluster: it runs beside the other projects (one file at a time within it). On an
      // external server it shares the primary with every file, so it waits for them to finish.
      sequence: { groupOrder: backend.kind === 'external' ? 1 : 0 },
    },
  },
]);

export default defineConfig({
  test: {
    root,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Four files at a time on 2 cores: most db files wait on the server (examples.db: 102 s wall for
    // 14 s of CPU), so a fourth worker fills the idle time; the suite still passes at load 13-15.
    maxWorkers: 4,
    sequence: { sequencer: LongestFirst },
    setupFiles: ['test/harness/setup-parser.ts'],
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.db.test.ts', 'test/**/*.lag.test.ts', ...MOCKING_UNIT_FILES],
          sequence: { groupOrder: 0 },
          // Pure tests share one module graph per worker (src imported once, not once per file):
          // half the unit project's CPU time. Files that mock modules run isolated, below.
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'unit-mocks', include: MOCKING_UNIT_FILES, sequence: { groupOrder: 0 } },
      },
      ...dbProjects,
    ],
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
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

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { testBackends } from './harness/backends.js';

/**
 * One vitest run, several projects:
 * - `unit`: files named *.test.ts that need no server (planning, parsing, linting);
 * - per Postgres backend: `*.db.test.ts` files, in parallel, each file in its own database of one
 *   shared primary + streaming replica; then `*.lag.test.ts` files one at a time on a second cluster,
 *   because they pause WAL replay and would make every other file's lag gate wait.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const backends = testBackends();

const dbProjects = backends.flatMap((backend) => [
  {
    extends: true as const,
    test: {
      name: backend.id,
      include: ['test/**/*.db.test.ts'],
      globalSetup: ['test/harness/global-setup.ts'],
      provide: { backend },
      sequence: { groupOrder: 0 },
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
      sequence: { groupOrder: 1 },
    },
  },
]);

export default defineConfig({
  test: {
    root,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 3,
    setupFiles: ['test/harness/setup-parser.ts'],
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.db.test.ts', 'test/**/*.lag.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      ...dbProjects,
    ],
  },
});

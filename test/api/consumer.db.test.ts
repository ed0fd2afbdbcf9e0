import { execFile as execFileCb } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_PATH } from '../../src/lint/rule.js';
import { createTestDatabase, onSecondaryBackend, testLabel, type TestDatabase } from '../harness/database.js';

/**
 * The library as a user gets it: `npm pack` of the built package (npm test builds first), unpacked
 * into a fresh project's node_modules/zdm, a TypeScript script type-checked against the package's
 * own .d.ts files and run with node. Its dependencies are this repository's node_modules, linked
 * (the test must not download). The migration file is TypeScript importing 'zdm' as users write it.
 * It runs on the embedded server only: the package is the same whatever the major (the library's
 * lifecycle runs on every major in test/api/*.db.test.ts), and packing, installing and type-checking
 * it took 69 s of an idle run on PG 15 for the same proof.
 */
const execFile = promisify(execFileCb);
const repo = path.resolve('.');
const fixtures = path.join(repo, 'test/api/consumer');
let db: TestDatabase;
let project: string;
let tarball: string;
/** The package's unpacked size, as npm pack reports it. */
let unpackedSize: number;
let packDir: string;
const made: string[] = [];

/**
 * A fresh project with zdm unpacked from the tarball into node_modules/zdm and, beside it, links to
 * what `npm install <tarball> pg` would add: zdm's production dependencies (their own dependencies
 * resolve through the links' real paths) and @types/node. Nothing else of this repository's
 * node_modules, so a module zdm needs but does not declare fails here as it would for a user.
 */
async function consumerProject(type: 'module' | 'commonjs'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `zdm-consumer-${type}-`));
  await mkdir(path.join(dir, 'node_modules/zdm'), { recursive: true });
  await execFile('tar', ['xzf', tarball, '-C', path.join(dir, 'node_modules/zdm'), '--strip-components=1']);
  const pkg = JSON.parse(await readFile(path.join(dir, 'node_modules/zdm/package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const name of [...Object.keys(pkg.dependencies), '@types/node']) {
    await mkdir(path.dirname(path.join(dir, 'node_modules', name)), { recursive: true });
    await symlink(path.join(repo, 'node_modules', name), path.join(dir, 'node_modules', name));
  }
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${type}`, type }));
  return dir;
}

const secondary = onSecondaryBackend();

beforeAll(async () => {
  if (secondary) return;
  if (!existsSync(path.join(repo, 'dist/index.d.ts'))) throw new Error('dist/ is missing: run npm run build first');
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE users (id bigserial PRIMARY KEY, user_email text NOT NULL)`);
  await db.query(`INSERT INTO users (user_email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 2000) g`);
  packDir = await mkdtemp(path.join(tmpdir(), 'zdm-pack-'));
  const { stdout } = await execFile('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], {
    cwd: repo,
  });
  const [packed] = JSON.parse(stdout) as { filename: string; unpackedSize: number }[];
  tarball = path.join(packDir, packed!.filename);
  unpackedSize = packed!.unpackedSize;
  project = await consumerProject('module');
  for (const file of ['main.ts', 'tsconfig.json']) await copyFile(path.join(fixtures, file), path.join(project, file));
  await mkdir(path.join(project, 'migrations'));
  await copyFile(path.join(fixtures, '0001_rename_email.ts'), path.join(project, 'migrations/0001_rename_email.ts'));
}, 180_000);

afterAll(async () => {
  for (const dir of [project, packDir, ...made]) if (dir) await rm(dir, { recursive: true, force: true });
  await db?.drop();
});

describe.skipIf(secondary)('a consumer project installed from the packed tarball', () => {
  it("holds every file the README links to and the lint rules' docs findings point to; no source maps", async () => {
    const { stdout } = await execFile('tar', ['tzf', tarball]);
    const files = stdout.split('\n').map((f) => f.replace(/^package\//, ''));
    const links = [...(await readFile('README.md', 'utf8')).matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]!.replace(/^\.\//, '').replace(/\/$/, ''))
      .filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    for (const link of links)
      expect(
        files.some((f) => f === link || f.startsWith(`${link}/`)),
        `README links to ${link}`,
      ).toBe(true);
    expect(files).toContain(DOCS_PATH);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('src/') && !f.endsWith('.md'))).toEqual([]);
  });

  it("keeps zdm's own files within 2.4 MB unpacked, so a consumer install stays under 25 MB", () => {
    // With its dependencies, `npm install <tarball> pg` measured 24.8 MB when zdm's files were 2.28 MB
    // (BENCHMARKS.md, "Install size"); the dependencies are not installed here (no registry in tests).
    expect(unpackedSize).toBeGreaterThan(1_000_000);
    expect(unpackedSize, 'unpacked bytes of the zdm package').toBeLessThanOrEqual(2_400_000);
  });

  it('type-checks against the package types and drives a migration through every phase', async () => {
    const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
    await execFile(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch(
      (err: { stdout: string }) => {
        throw new Error(`tsc failed in the consumer project:\n${err.stdout}`);
      },
    );
    const { stdout } = await execFile(process.execPath, ['dist/main.js', db.url, 'migrations'], { cwd: project });
    const log = JSON.parse(stdout) as Record<string, unknown>[];
    expect(log).toEqual([
      { configError: true, message: expect.stringMatching(/createZdm: batchSize/) as unknown },
      { plan: 'planned', steps: expect.any(Number) as unknown },
      { advance: 'advanced', ran: ['expand'] },
      { pause: 'paused' },
      { statusPaused: true },
      { resume: 'resumed' },
      { rollback: 'rolled-back', undone: expect.any(Number) as unknown },
      { advance: 'advanced', ran: ['expand', 'backfill', 'switch', 'contract'], complete: true },
      { rollbackAfter: 'nothing-active', pauseAfter: 'nothing-active' },
      { lint: 'blocked', rules: expect.arrayContaining(['set-not-null']) as unknown },
      { fleet: [['one', '0001_rename_email', 'contract', 'done']] },
      { events: expect.arrayContaining(['phase-start', 'phase-done', 'step-done', 'backfill-progress']) as unknown },
    ]);
    const columns = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'email']);
  }, 300_000);

  for (const type of ['commonjs', 'module'] as const) {
    it(`the README's first hour in a ${type} project: init, new --format ts, plan, advance --until contract`, async () => {
      const dir = await consumerProject(type);
      made.push(dir);
      const table = `${type === 'module' ? 'esm' : 'cjs'}_users`;
      await db.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, user_email text NOT NULL)`);
      await db.query(
        `INSERT INTO ${table} (user_email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 300) g`,
      );
      const env = { ...process.env, DATABASE_URL: db.url, ZDM_STATE_SCHEMA: `zdm_${table}`, NO_COLOR: '1' };
      const zdm = (...args: string[]) =>
        execFile(process.execPath, ['node_modules/zdm/bin/zdm.js', ...args], { cwd: dir, env });
      await zdm('init');
      const config = JSON.parse(await readFile(path.join(dir, 'zdm.config.json'), 'utf8')) as Record<string, unknown>;
      expect(existsSync(path.join(dir, String(config.$schema)))).toBe(true);
      await zdm('new', 'rename_email', '--format', 'ts');
      const file = path.join(dir, 'migrations/0001_rename_email.ts');
      const template = await readFile(file, 'utf8');
      const edited = template
        .replace(
          "import { defineMigration } from 'zdm';",
          `import { defineMigration, renameColumn } from 'zdm';\nconst table: string = '${table}';`,
        )
        .replace(/^ *\/\/ e\.g\..*$/m, "    renameColumn({ table, from: 'user_email', to: 'email' }),");
      expect(edited).not.toBe(template);
      await writeFile(file, edited);
      const plan = await zdm('plan');
      expect(plan.stdout).toContain(table);
      await zdm('advance', '--until', 'contract');
      const columns = await db.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [table],
      );
      expect(columns.map((c) => c.column_name)).toEqual(['id', 'email']);
      const counted = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE email LIKE 'u%'`);
      expect(Number(counted[0]?.n)).toBe(300);
    }, 300_000);
  }
});

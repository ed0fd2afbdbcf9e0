import { execFile as execFileCb } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_PATH } from '../../src/lint/rule.js';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';

/**
 * The library as a user gets it: `npm pack` of the built package (npm test builds first), unpacked
 * into a fresh project's node_modules/zdm, a TypeScript script type-checked against the package's
 * own .d.ts files and run with node. Its dependencies are this repository's node_modules, linked
 * (the test must not download). The migration file is TypeScript importing 'zdm' as users write it.
 */
const execFile = promisify(execFileCb);
const repo = path.resolve('.');
const fixtures = path.join(repo, 'test/api/consumer');
let db: TestDatabase;
let project: string;
let tarball: string;

beforeAll(async () => {
  if (!existsSync(path.join(repo, 'dist/index.d.ts'))) throw new Error('dist/ is missing: run npm run build first');
  db = await createTestDatabase(testLabel(import.meta.url));
  await db.query(`CREATE TABLE users (id bigserial PRIMARY KEY, user_email text NOT NULL)`);
  await db.query(`INSERT INTO users (user_email) SELECT 'u' || g || '@example.com' FROM generate_series(1, 2000) g`);
  project = await mkdtemp(path.join(tmpdir(), 'zdm-consumer-'));
  const { stdout } = await execFile('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], {
    cwd: repo,
  });
  tarball = path.join(project, stdout.trim().split('\n').pop()!);
  await mkdir(path.join(project, 'node_modules/zdm'), { recursive: true });
  await execFile('tar', ['xzf', tarball, '-C', path.join(project, 'node_modules/zdm'), '--strip-components=1']);
  for (const entry of await readdir(path.join(repo, 'node_modules')))
    if (entry !== 'zdm' && !entry.startsWith('.'))
      await symlink(path.join(repo, 'node_modules', entry), path.join(project, 'node_modules', entry));
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
  for (const file of ['main.ts', 'tsconfig.json']) await copyFile(path.join(fixtures, file), path.join(project, file));
  await mkdir(path.join(project, 'migrations'));
  await copyFile(path.join(fixtures, '0001_rename_email.ts'), path.join(project, 'migrations/0001_rename_email.ts'));
}, 180_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
  await db?.drop();
});

describe('a consumer project installed from the packed tarball', () => {
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
      { events: expect.arrayContaining(['phase-start', 'phase-done', 'step-done', 'backfill-progress']) as unknown },
    ]);
    const columns = await db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'email']);
  }, 300_000);
});

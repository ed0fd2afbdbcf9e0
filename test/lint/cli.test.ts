import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { expandPaths, globToRegExp } from '../../src/lint/files.js';
import { readMigrationText } from '../../src/lint/migration-sql.js';

let dir: string;

async function zdm(args: string[], env: NodeJS.ProcessEnv = {}, stdoutIsTTY = false) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'zdm', ...args], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    cwd: dir,
    stdoutIsTTY,
    stderrIsTTY: false,
  });
  return { code, stdout, stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'zdm-lint-cli-'));
  mkdirSync(path.join(dir, 'migrations/nested'), { recursive: true });
  mkdirSync(path.join(dir, 'node_modules/x'), { recursive: true });
  writeFileSync(
    path.join(dir, 'migrations/001_ok.sql'),
    'CREATE TABLE t (id bigint PRIMARY KEY);\nCREATE INDEX i ON t (id);\n',
  );
  writeFileSync(
    path.join(dir, 'migrations/nested/002_bad.sql'),
    'ALTER TABLE users ADD COLUMN c int;\nCREATE INDEX i ON users (c);\n',
  );
  writeFileSync(path.join(dir, 'migrations/003_warn.sql'), 'ALTER TABLE users ALTER COLUMN c DROP NOT NULL;\n');
  writeFileSync(path.join(dir, 'node_modules/x/bad.sql'), 'DROP TABLE users;');
  writeFileSync(
    path.join(dir, 'migrations/004.json'),
    JSON.stringify(
      {
        operations: [
          { op: 'renameColumn', table: 't', from: 'a', to: 'b' },
          { op: 'sql', phase: 'expand', sql: 'SELECT 1;\nDROP TABLE users;' },
          { op: 'sql', sql: 'DROP TABLE orders;', allow: ['drop-table'] },
        ],
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(dir, 'migrations/005.yaml'),
    'operations:\n  - op: sql\n    phase: contract\n    sql: |\n      ALTER TABLE users DROP COLUMN legacy;\n',
  );
  writeFileSync(path.join(dir, 'migrations/notes.json'), '{"not": "a migration"}');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zdm lint', () => {
  it('lints directories recursively, skipping node_modules; exit 3 on errors', async () => {
    const r = await zdm(['lint', 'migrations']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('migrations/nested/002_bad.sql:2:1 error create-index-non-concurrent');
    expect(r.stdout).toContain('> 2 | CREATE INDEX i ON users (c);');
    expect(r.stdout).toContain('migrations/004.json:12:14 error drop-table');
    expect(r.stdout).toContain('operations[1].sql line 2');
    expect(r.stdout).not.toContain('orders');
    expect(r.stdout).toContain('migrations/005.yaml');
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toMatch(/3 errors, 1 warning in 6 files/);
    expect(expandPaths(['.'], dir).some((f) => f.includes('node_modules'))).toBe(false);
  });

  it('colours only on a TTY without NO_COLOR', async () => {
    expect((await zdm(['lint', 'migrations/003_warn.sql'], {}, true)).stdout).toContain('\x1b[');
    expect((await zdm(['lint', 'migrations/003_warn.sql'], { NO_COLOR: '1' }, true)).stdout).not.toContain('\x1b[');
  });

  it('warnings alone exit 0 unless --max-warnings is exceeded', async () => {
    expect((await zdm(['lint', 'migrations/003_warn.sql'])).code).toBe(0);
    expect((await zdm(['lint', 'migrations/003_warn.sql', '--max-warnings', '0'])).code).toBe(3);
    expect((await zdm(['lint', 'migrations/003_warn.sql', '--max-warnings', '1'])).code).toBe(0);
  });

  it('globs, --exclude, --include', async () => {
    const r = await zdm([
      'lint',
      'migrations/**/*.sql',
      '--exclude',
      'create-index-non-concurrent',
      '--include',
      'missing-lock-timeout',
      '--format',
      'json',
    ]);
    const out = JSON.parse(r.stdout) as { version: number; files: number; findings: { rule: string; file: string }[] };
    expect(out.version).toBe(1);
    expect(out.files).toBe(3);
    expect(out.findings.map((f) => f.rule).sort()).toEqual([
      'drop-not-null',
      'missing-lock-timeout',
      'missing-lock-timeout',
    ]);
    expect(r.code).toBe(0);
  });

  it('json findings carry the documented fields', async () => {
    const r = await zdm(['lint', 'migrations/nested/002_bad.sql', '--format', 'json']);
    const [f] = (JSON.parse(r.stdout) as { findings: Record<string, unknown>[] }).findings;
    expect(Object.keys(f!).sort()).toEqual(
      [
        'column',
        'docs',
        'docsUrl',
        'endColumn',
        'endLine',
        'file',
        'help',
        'line',
        'message',
        'rule',
        'severity',
        'statement',
      ].sort(),
    );
  });

  it('github, sarif and markdown formats', async () => {
    const gh = await zdm(['lint', 'migrations/nested/002_bad.sql', '--format', 'github']);
    expect(gh.stdout).toMatch(
      /^::error file=migrations\/nested\/002_bad.sql,line=2,endLine=2,col=1,endColumn=28,title=zdm lint%3A create-index-non-concurrent::CREATE INDEX/m,
    );
    const sarif = JSON.parse((await zdm(['lint', 'migrations/nested/002_bad.sql', '--format', 'sarif'])).stdout) as {
      version: string;
      runs: { results: { ruleId: string; level: string }[]; tool: { driver: { rules: unknown[] } } }[];
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results).toEqual([
      expect.objectContaining({ ruleId: 'create-index-non-concurrent', level: 'error' }),
    ]);
    const md = await zdm(['lint', 'migrations/nested/002_bad.sql', '--format', 'markdown']);
    expect(md.stdout).toContain('| ❌ | `migrations/nested/002_bad.sql:2:1` | [`create-index-non-concurrent`]');
  });

  it('reads stdin with -, named by --stdin-filename', async () => {
    const { runLint } = await import('../../src/cli/actions/lint.js');
    let out = '';
    const io = {
      stdout: (t: string) => void (out += t),
      stderr: () => undefined,
      env: {},
      cwd: dir,
      signal: new AbortController().signal,
      stdoutIsTTY: false,
      stderrIsTTY: false,
    };
    const code = await runLint(
      io,
      ['-'],
      { stdinFilename: 'prisma/migration.sql', format: 'github' },
      async () => 'DROP TABLE users;',
    );
    expect(code).toBe(3);
    expect(out).toContain('file=prisma/migration.sql,line=1');
  });

  it('bad usage exits 2', async () => {
    expect((await zdm(['lint', 'nope.sql'])).code).toBe(2);
    expect((await zdm(['lint', 'migrations', '--format', 'xml'])).code).toBe(2);
    expect((await zdm(['lint', 'migrations', '--include', 'no-such-rule'])).code).toBe(2);
    expect((await zdm(['lint', 'migrations', '--max-warnings', '-1'])).code).toBe(2);
    expect((await zdm(['lint', 'migrations', '--pg-version', 'x'])).code).toBe(2);
  });

  it('reads the lint section of zdm.config.json', async () => {
    const cfgDir = path.join(dir, 'cfg');
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(
      path.join(cfgDir, 'a.json'),
      JSON.stringify({
        lint: {
          exclude: ['create-index-non-concurrent'],
          rules: { 'drop-not-null': 'error' },
          excludePaths: ['**/003_*'],
          pgVersion: '14.2',
          assumeInTransaction: true,
        },
      }),
    );
    writeFileSync(path.join(dir, 'migrations/cic.sql'), 'CREATE INDEX CONCURRENTLY i ON users (a);\n');
    const r = await zdm([
      'lint',
      'migrations/cic.sql',
      'migrations/nested',
      'migrations/003_warn.sql',
      '--config',
      'cfg/a.json',
      '--format',
      'json',
    ]);
    const rules = (JSON.parse(r.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule).sort();
    expect(rules).toEqual(['concurrent-index-pg14-corruption', 'concurrently-in-transaction']);
  });
});

describe('file selection', () => {
  it('globs', () => {
    expect(globToRegExp('migrations/**/*.sql').test('migrations/a.sql')).toBe(true);
    expect(globToRegExp('migrations/**/*.sql').test('migrations/x/y/a.sql')).toBe(true);
    expect(globToRegExp('*.{sql,json}').test('a.json')).toBe(true);
    expect(globToRegExp('*.sql').test('x/a.sql')).toBe(false);
  });

  it('expands directories in a stable order and applies excludePaths', () => {
    const files = expandPaths(['migrations'], dir, ['**/nested/**']).map((f) => path.relative(dir, f));
    expect(files).toEqual(
      [
        'migrations/001_ok.sql',
        'migrations/003_warn.sql',
        'migrations/004.json',
        'migrations/005.yaml',
        'migrations/cic.sql',
        'migrations/notes.json',
      ].filter((f) => files.includes(f)),
    );
    expect(files).not.toContain('migrations/nested/002_bad.sql');
  });

  it('finds sql operations in YAML with positions', () => {
    const doc = readMigrationText(
      'operations:\n  - op: addColumn\n  - op: sql\n    sql: "DROP TABLE x"\n    allow: [drop-table]\n',
    );
    expect(doc.sql).toEqual([
      { where: 'operations[1].sql', sql: 'DROP TABLE x', allow: ['drop-table'], line: 4, column: 10 },
    ]);
  });
});

describe('TypeScript and JavaScript migration files', () => {
  it('lints the sql operations a .ts or .js file exports', async () => {
    writeFileSync(
      path.join(dir, 'migrations/006_ts.ts'),
      "export default { operations: [{ op: 'sql', phase: 'contract', sql: 'ALTER TABLE users DROP COLUMN old;' }] };\n",
    );
    writeFileSync(
      path.join(dir, 'migrations/007_js.mjs'),
      "export const migration = { operations: [{ op: 'sql', phase: 'expand', sql: 'CREATE INDEX i ON users (a);' }] };\n",
    );
    const r = await zdm(['lint', 'migrations/006_ts.ts', 'migrations/007_js.mjs', '--format', 'json']);
    const rules = (JSON.parse(r.stdout) as { findings: { rule: string; file: string }[] }).findings.map(
      (f) => `${f.file} ${f.rule}`,
    );
    expect(rules).toEqual(['migrations/006_ts.ts drop-column', 'migrations/007_js.mjs create-index-non-concurrent']);
  });
});

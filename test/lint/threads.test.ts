import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { shares, threadCount } from '../../src/lint/threads.js';

const { threadCount: builtThreadCount } = (await import(
  new URL('../../dist/lint/threads.js', import.meta.url).href
)) as typeof import('../../src/lint/threads.js');

const bin = fileURLToPath(new URL('../../bin/zdm.js', import.meta.url));

const STATEMENTS = [
  'CREATE INDEX users_a_idx ON users (a);',
  'ALTER TABLE users ADD COLUMN b bigint;',
  'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  "COMMENT ON TABLE users IS 'x';",
  'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id);',
  'SELEC 1;',
];

function corpus(files: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zdm-lint-threads-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (let f = 0; f < files; f++) {
    const text = [0, 1, 2].map((s) => STATEMENTS[(f * 3 + s) % STATEMENTS.length]).join('\n');
    writeFileSync(path.join(dir, `V${String(f).padStart(4, '0')}__m.sql`), `${text}\n`);
  }
  const migration = { operations: [{ op: 'sql', phase: 'expand', sql: 'DROP TABLE users;' }] };
  writeFileSync(path.join(dir, 'V9999__zdm.json'), JSON.stringify(migration));
  return dir;
}

function lint(dir: string, threads: string, format: string) {
  const env = { ...process.env, ZDM_LINT_THREADS: threads, NO_COLOR: '1' };
  return spawnSync(process.execPath, [bin, 'lint', dir, '--format', format], { env, encoding: 'utf8' });
}

describe('lint on worker threads', () => {
  it('reports exactly what one thread reports, in the same order, for many files', () => {
    const dir = corpus(200);
    const one = lint(dir, '1', 'json');
    const two = lint(dir, '2', 'json');
    expect(one.stderr).toBe('');
    expect(two.stderr).toBe('');
    expect(two.status).toBe(one.status);
    expect(two.stdout).toBe(one.stdout);
    const report = JSON.parse(two.stdout) as { findings: { file: string; rule: string }[] };
    const files = new Set(report.findings.map((f) => f.file));
    expect(files.size).toBeGreaterThan(150);
    expect(report.findings.some((f) => f.rule === 'syntax-error')).toBe(true);
    expect(report.findings.some((f) => f.file.endsWith('V9999__zdm.json') && f.rule === 'drop-table')).toBe(true);
  }, 180_000);

  it('splits files into contiguous shares of similar size and uses one thread for few files', () => {
    const jobs = Array.from({ length: 10 }, (_, n) => ({ name: String(n), text: 'x'.repeat(10) }));
    const parts = shares(jobs, 3);
    expect(parts.flat()).toEqual(jobs);
    expect(parts.map((p) => p.length)).toEqual([4, 3, 3]);
    expect(threadCount(50, { ZDM_LINT_THREADS: '4' })).toBe(1);
    // the built package has the worker, so the CLI run above used 2 threads for 200 files
    expect(builtThreadCount(200, { ZDM_LINT_THREADS: '2' })).toBe(2);
    expect(threadCount(10_000, { ZDM_LINT_THREADS: '1' })).toBe(1);
  });
});

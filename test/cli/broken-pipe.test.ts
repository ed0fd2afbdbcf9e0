import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCliClosingStdout } from '../helpers/cli.js';

/*
 * `zdm lint x | head -1`: a reader that closes the pipe early ends zdm quietly with exit status 141
 * (128 + SIGPIPE, as git), never with an EPIPE stack trace (README, "Exit codes"). Spawns the built CLI.
 * The database command case is in test/cli/json-output.db.test.ts.
 */

let dir: string;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'zdm-broken-pipe-'));
  file = path.join(dir, 'many.sql');
  // ~2,000 findings: far more output than a pipe buffer holds, so the CLI is still writing when the reader goes.
  const statements = Array.from({ length: 2000 }, (_, i) => `CREATE INDEX idx_${i} ON t${i} (a);`);
  await writeFile(file, `${statements.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the reader of stdout closes the pipe early', () => {
  it('zdm lint <file> | head -1: the first finding, then exit 141 and nothing on stderr', async () => {
    const r = await spawnCliClosingStdout(['lint', file], 1);
    expect(r.stdout.split('\n')[0]).toMatch(/^.*many\.sql:1:1 error create-index-non-concurrent/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(141);
  });

  it.each([[['lint', '--format', 'json']], [['lint', '--format', 'sarif']], [['--help']]])(
    'zdm %j with the pipe closed before it writes: exit 141, nothing on stderr',
    async (args) => {
      const r = await spawnCliClosingStdout([...args, ...(args[0] === 'lint' ? [file] : [])], 0);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(141);
    },
  );
});

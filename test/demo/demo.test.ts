import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The README's first command: the demo runs end to end and cleans up, also on Ctrl-C. */
function runDemo(env: NodeJS.ProcessEnv, interruptWhen?: RegExp) {
  const child = spawn(process.execPath, ['dist/demo/main.js'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (d: Buffer) => {
    out += d.toString();
    if (interruptWhen && interruptWhen.test(out)) {
      interruptWhen = undefined;
      child.kill('SIGINT');
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out })),
  );
}

describe('npm run demo', () => {
  it('renames users.user_email under old-app and new-app traffic and prints a passing final check', async () => {
    const { code, out } = await runDemo({ ZDM_DEMO_ROWS: '20000' });
    expect(out).toContain('PASS  client errors: 0');
    expect(out).toContain('PASS  rows where user_email and email_address disagreed (at switch): 0');
    expect(out).toContain('PASS  old column user_email gone: yes');
    expect(out).toMatch(/replica lag seen during the run: peak [\d.]+ s/);
    expect(out).toContain('Demo passed.');
    expect(code).toBe(0);
    const dir = /removing (\S+)/.exec(out)?.[1];
    expect(dir && existsSync(dir)).toBe(false);
  }, 180_000);

  it('on Ctrl-C stops the servers, removes its directory and exits 130', async () => {
    const { code, out } = await runDemo({ ZDM_DEMO_ROWS: '20000' }, /The plan a reviewer sees/);
    expect(code).toBe(130);
    const dir = /removing (\S+)/.exec(out)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
  }, 180_000);
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { parseBytes, parseDuration } from '../../src/config/units.js';
import { ConfigError } from '../../src/errors.js';

describe('units', () => {
  it.each([
    ['500ms', 500],
    ['2s', 2000],
    ['1.5m', 90_000],
    ['3', 3000],
  ])('duration %s', (input, ms) => expect(parseDuration(input)).toBe(ms));
  it.each([
    ['64MB', 64 * 1024 * 1024],
    ['16MiB', 16 * 1024 * 1024],
    ['512kB', 512 * 1024],
    ['1GB', 1024 ** 3],
  ])('size %s', (input, bytes) => expect(parseBytes(input)).toBe(bytes));
  it('rejects nonsense', () => {
    expect(() => parseDuration('fast')).toThrow(/not a duration/);
    expect(() => parseDuration('2 fortnights')).toThrow(/unknown duration unit/);
  });
});

describe('resolveConfig: flag > env > zdm.config.json > default', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zdm-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, 'zdm.config.json'),
    JSON.stringify({
      lockTimeout: '5s',
      maxLag: '3s',
      databaseUrl: 'postgres://file/db',
      migrationsDir: 'db/migrations',
    }),
  );

  it('layers the sources', () => {
    const c = resolveConfig({ lockTimeout: '1s' }, { ZDM_MAX_LAG: '2s' }, dir);
    expect(c.lockTimeoutMs).toBe(1000);
    expect(c.maxLagMs).toBe(2000);
    expect(c.databaseUrl).toBe('postgres://file/db');
    expect(c.migrationsDir).toBe(path.join(dir, 'db/migrations'));
    expect(c.maxLagBytes).toBe(64 * 1024 * 1024);
    expect(c.configFile).toBe(path.join(dir, 'zdm.config.json'));
  });

  it('ZDM_DATABASE_URL before DATABASE_URL (which the application may point at a pooler), both before the file', () => {
    const both = { ZDM_DATABASE_URL: 'postgres://direct:5432/app', DATABASE_URL: 'postgres://pooler:6432/app' };
    expect(resolveConfig({}, both, dir).databaseUrl).toBe('postgres://direct:5432/app');
    expect(resolveConfig({}, { DATABASE_URL: both.DATABASE_URL }, dir).databaseUrl).toBe(both.DATABASE_URL);
    expect(resolveConfig({}, { ZDM_DATABASE_URL: '', DATABASE_URL: both.DATABASE_URL }, dir).databaseUrl).toBe(
      both.DATABASE_URL,
    );
    expect(resolveConfig({ databaseUrl: 'postgres://flag:5432/x' }, both, dir).databaseUrl).toBe(
      'postgres://flag:5432/x',
    );
    expect(() => resolveConfig({}, { ZDM_DATABASE_URL: 'mysql://x/y' }, dir)).toThrow(
      /^ZDM_DATABASE_URL: the database URL/,
    );
  });

  it('names the source of a bad value', () => {
    expect(() => resolveConfig({ lockTimeout: 'soon' }, {}, dir)).toThrow(/--lock-timeout: "soon" is not a duration/);
    expect(() => resolveConfig({}, { ZDM_BATCH_SIZE: '-1' }, dir)).toThrow(
      /ZDM_BATCH_SIZE: "-1" must be a whole number/,
    );
  });

  it('validates the config file with zod', () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'zdm-config-'));
    onTestFinished(() => rmSync(bad, { recursive: true, force: true }));
    writeFileSync(path.join(bad, 'zdm.config.json'), JSON.stringify({ lockTimeot: '1s' }));
    expect(() => resolveConfig({}, {}, bad)).toThrow(ConfigError);
    expect(() => resolveConfig({}, {}, bad)).toThrow(/zdm\.config\.json: \(root\): Unrecognized key: "lockTimeot"/);
  });
});

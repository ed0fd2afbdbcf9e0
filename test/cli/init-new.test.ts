import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATION_KINDS } from '../../src/operations/registry.js';
import { runCli } from '../helpers/cli.js';

let project: string | undefined;
afterEach(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('zdm init and zdm new', () => {
  it('init creates the migrations directory and zdm.config.json with $schema; twice changes nothing', async () => {
    project = await mkdtemp(path.join(tmpdir(), 'zdm-init-'));
    const first = await runCli(['init', '--json'], { cwd: project });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ createdDir: true, createdConfig: true });
    const config = JSON.parse(await readFile(path.join(project, 'zdm.config.json'), 'utf8')) as Record<string, string>;
    expect(config).toEqual({
      $schema: './node_modules/zdm/schema/config.schema.json',
      migrationsDir: './migrations',
      lockTimeout: '2s',
    });
    const again = await runCli(['init', '--json'], { cwd: project });
    expect(JSON.parse(again.stdout)).toMatchObject({ createdDir: false, createdConfig: false });
  });

  it('new numbers files after the highest, one template per format, each referencing the JSON Schema', async () => {
    project = await mkdtemp(path.join(tmpdir(), 'zdm-new-'));
    await runCli(['init'], { cwd: project });
    for (const format of ['ts', 'json', 'yaml']) {
      const r = await runCli(['new', `step_${format}`, '--format', format], { cwd: project });
      expect(r.code, r.stderr).toBe(0);
    }
    expect((await readdir(path.join(project, 'migrations'))).sort()).toEqual([
      '0001_step_ts.ts',
      '0002_step_json.json',
      '0003_step_yaml.yaml',
    ]);
    const read = (f: string) => readFile(path.join(project!, 'migrations', f), 'utf8');
    expect(JSON.parse(await read('0002_step_json.json'))).toEqual({
      $schema: '../node_modules/zdm/schema/migration.schema.json',
      operations: [],
    });
    expect(await read('0003_step_yaml.yaml')).toContain(
      '# yaml-language-server: $schema=../node_modules/zdm/schema/migration.schema.json',
    );
    expect(await read('0001_step_ts.ts')).toContain("import { defineMigration } from 'zdm';");
    const bad = await runCli(['new', 'bad name'], { cwd: project });
    expect(bad.code).toBe(2);
  });

  it('the JSON Schemas are built from the zod schemas: every operation kind, every config key', async () => {
    const migration = JSON.parse(await readFile('schema/migration.schema.json', 'utf8')) as {
      properties: { operations: { items: { oneOf: { properties: { op: { const: string } } }[] } } };
    };
    const kinds = migration.properties.operations.items.oneOf.map((o) => o.properties.op.const);
    expect(kinds.sort()).toEqual([...OPERATION_KINDS].sort());
    const config = JSON.parse(await readFile('schema/config.schema.json', 'utf8')) as { properties: object };
    expect(Object.keys(config.properties)).toEqual(expect.arrayContaining(['databaseUrl', 'lockTimeout', 'lint']));
    expect(existsSync('schema/config.schema.json')).toBe(true);
  });
});

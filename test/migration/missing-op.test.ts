import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { loadMigrationFile } from '../../src/migration/load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'zdm-missing-op-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function refusal(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  const err = await loadMigrationFile(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ValidationError);
  return (err as Error).message;
}

describe('an operation written without an "op" field', () => {
  it('names the kind found as a key and shows the shape zdm reads (the way pgroll writes operations)', async () => {
    const message = await refusal(
      '0001_keyed.json',
      JSON.stringify(
        { operations: [{ changeColumnType: { table: 'billing.Invoices', column: 'id', type: 'bigint' } }] },
        null,
        2,
      ),
    );
    expect(message).toContain(
      '0001_keyed.json:3:5: operations[0]: each operation needs an "op" field naming its kind, beside its other ' +
        'fields: { "op": "changeColumnType", "table": ..., ... } (found "changeColumnType" as a key)',
    );
    expect(message).not.toContain('Invalid discriminator');
  });

  it("points a pgroll operation to the mapping of pgroll's operations", async () => {
    const message = await refusal(
      '0001_pgroll.yaml',
      'operations:\n  - rename_column:\n      table: users\n      from: a\n      to: b\n',
    );
    expect(message).toContain('operations[0]: each operation needs an "op" field naming its kind');
    expect(message).toContain('{ "op": "renameColumn", "table": ..., ... } (found "rename_column" as a key)');
    expect(message).toContain('migrations-examples/from-pgroll/README.md');
  });

  it('an object with neither gets the generic shape', async () => {
    const message = await refusal('0001_bare.json', JSON.stringify({ operations: [{ table: 'users' }] }));
    expect(message).toContain('operations[0]: each operation needs an "op" field naming its kind, beside its other');
    expect(message).not.toContain('found');
  });
});

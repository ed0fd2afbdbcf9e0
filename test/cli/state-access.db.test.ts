import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStateSchema } from '../../src/exec/state-schema.js';
import { createTestDatabase, testLabel, withAdmin, type TestDatabase } from '../harness/database.js';
import { runCli } from '../helpers/cli.js';
import { tempMigrationsDir } from '../helpers/runner.js';

/**
 * zdm run by a role that cannot use its state schema: one a superuser created on an earlier run (then
 * the application's owner role runs it in CI), or none yet and no CREATE on the database. Each is
 * refused before anything runs (exit 2), naming the role, the schema, its owner and the statements
 * that grant what is missing; running those statements is enough.
 */
let db: TestDatabase;
let dir: Awaited<ReturnType<typeof tempMigrationsDir>>;
let roleUrl: string;
const role = `zdm_owner_${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  dir = await tempMigrationsDir('state-access');
  await withAdmin(db.url, async (c) => {
    // pg_monitor: the replica-lag gate reads pg_stat_replication's LSNs (it waits, saying so, without).
    await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'p' IN ROLE pg_monitor`);
    await c.query(`CREATE TABLE items (id bigserial PRIMARY KEY, label text); ALTER TABLE items OWNER TO ${role}`);
    await c.query(`CREATE TABLE ledger (id bigserial PRIMARY KEY, amount int)`);
    await ensureStateSchema(c, 'zdm_admin_made');
  });
  const url = new URL(db.url);
  url.username = role;
  url.password = 'p';
  roleUrl = url.toString();
  await dir.write('0001_label.json', {
    operations: [
      { op: 'renameColumn', table: 'items', from: 'label', to: 'title' },
      { op: 'createIndex', table: 'ledger', name: 'ledger_amount_idx', columns: ['amount'] },
    ],
  });
});
afterAll(async () => {
  await dir?.remove();
  if (db) await withAdmin(db.url, (c) => c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`));
  await db?.drop();
});

const cli = (command: string, schema: string) =>
  runCli([command, '--migrations-dir', dir.dir, '--state-schema', schema, '--database-url', roleUrl]);

describe("a role that cannot use zdm's state schema", () => {
  it('one another role created: exit 2 with the grants, which are enough', async () => {
    for (const command of ['status', 'plan', 'advance']) {
      const r = await cli(command, 'zdm_admin_made');
      expect(r.code, command + r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toContain(`role ${role} cannot use zdm's state schema zdm_admin_made (owned by `);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const r = await cli('status', 'zdm_admin_made');
    const grants = r.stderr.split('or grant it: ')[1]!.trim();
    expect(grants).toBe(
      `GRANT USAGE ON SCHEMA zdm_admin_made TO ${role}; ` +
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA zdm_admin_made TO ${role}; ` +
        `GRANT USAGE ON ALL SEQUENCES IN SCHEMA zdm_admin_made TO ${role}`,
    );
    await withAdmin(db.url, (c) => c.query(grants));
    expect((await cli('status', 'zdm_admin_made')).code).toBe(0);
  });

  it('a table it does not own, a schema it cannot create in: refused before activation (exit 3), nothing ran', async () => {
    const refused = await cli('advance', 'zdm_admin_made');
    expect(refused.code, refused.stdout + refused.stderr).toBe(3);
    expect(refused.stderr).toContain(
      `role ${role} does not own table public.ledger (owner: ${new URL(db.url).username}) and is not a member of that role`,
    );
    expect(refused.stderr).toContain(`GRANT CREATE ON SCHEMA public TO ${role}`);
    expect(await db.query(`SELECT count(*)::int AS n FROM zdm_admin_made.migrations`)).toEqual([{ n: 0 }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname LIKE 'zdm%'`)).toEqual([{ n: 0 }]);
    await withAdmin(db.url, (c) =>
      c.query(`ALTER TABLE ledger OWNER TO ${role}; GRANT CREATE ON SCHEMA public TO ${role}`),
    );
    const advanced = await cli('advance', 'zdm_admin_made');
    expect(advanced.code, advanced.stdout + advanced.stderr.slice(-3000)).toBe(0);
    expect(advanced.stdout).toContain('0001_label: ran expand');
  });

  it('none yet and no CREATE on the database: exit 2 naming both ways, nothing created', async () => {
    const r = await cli('advance', 'zdm_role_made');
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `role ${role} cannot create zdm's state schema zdm_role_made in database ${db.name}: ` +
        `GRANT CREATE ON DATABASE ${db.name} TO ${role}, or have an administrator create it for the role: ` +
        `CREATE SCHEMA zdm_role_made AUTHORIZATION ${role}`,
    );
    expect(await db.query(`SELECT to_regnamespace('zdm_role_made') AS s`)).toEqual([{ s: null }]);
  });
});

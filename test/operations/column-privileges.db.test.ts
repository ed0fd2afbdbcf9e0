import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testLabel, type TestDatabase } from '../harness/database.js';
import { startWorkload } from '../helpers/apps.js';
import { runLifecycle, withMigrations } from '../helpers/lifecycle.js';

/**
 * Column privileges and comments follow renameColumn and changeColumnType's shadow column (issue
 * 12): both build a copy of the column that takes its place at contract, and a role granted
 * SELECT (email) must still read the column under its new name; rollback leaves the grants as they were.
 */
let db: TestDatabase;
let reader: string;
beforeAll(async () => {
  db = await createTestDatabase(testLabel(import.meta.url));
  reader = `${db.name}_reader`;
  await db.query(`CREATE TABLE patrons (id bigserial PRIMARY KEY, email text NOT NULL, points int NOT NULL DEFAULT 0);
    INSERT INTO patrons (email, points) SELECT 'p' || g || '@example.com', g FROM generate_series(1, 500) g;
    CREATE ROLE ${reader};
    GRANT SELECT (id, email, points) ON patrons TO ${reader};
    GRANT UPDATE (points) ON patrons TO ${reader} WITH GRANT OPTION;
    COMMENT ON COLUMN patrons.email IS 'where receipts go';
    COMMENT ON COLUMN patrons.points IS 'loyalty points'`);
});
afterAll(async () => {
  if (!db) return;
  await db.query(`DROP OWNED BY ${reader}; DROP ROLE ${reader}`).catch(() => undefined);
  await db.drop();
});

/** Each column's privileges for roles other than the owner, as `column: privilege[*]` (`*`: grantable). */
async function columnPrivileges(): Promise<string[]> {
  const rows = await db.query<{ v: string }>(
    `SELECT a.attname || ': ' || x.privilege_type || CASE WHEN x.is_grantable THEN '*' ELSE '' END AS v
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid, aclexplode(a.attacl) x
      WHERE a.attrelid = 'patrons'::regclass AND a.attnum > 0 AND NOT a.attisdropped AND x.grantee <> c.relowner
      ORDER BY 1`,
  );
  return rows.map((r) => r.v);
}

/** What the role can read, as the role. */
async function readAsReader(column: string): Promise<unknown> {
  const client = await db.pool.connect();
  try {
    await client.query(`SET ROLE ${reader}`);
    return (await client.query(`SELECT ${column} FROM patrons ORDER BY id LIMIT 1`)).rows[0];
  } finally {
    await client.query('RESET ROLE');
    client.release();
  }
}

describe('column privileges and comments follow the changed column', () => {
  it('renameColumn and a shadow-column type change keep GRANT SELECT (col) and COMMENT ON COLUMN', async () => {
    const before = await columnPrivileges();
    expect(before).toEqual(['email: SELECT', 'id: SELECT', 'points: SELECT', 'points: UPDATE*']);
    const migration = {
      operations: [
        { op: 'renameColumn', table: 'patrons', from: 'email', to: 'email_address' },
        { op: 'changeColumnType', table: 'patrons', column: 'points', type: 'bigint' },
      ],
    };
    const app = (name: string, email: string) => () =>
      startWorkload({
        url: db.url,
        name,
        queries: [
          (i) => ({ text: `INSERT INTO patrons (${email}, points) VALUES ($1, $2)`, values: [`${name}${i}@x`, i] }),
          (i) => ({ text: `UPDATE patrons SET points = $1 WHERE id = (SELECT max(id) - 3 FROM patrons)`, values: [i] }),
          () => ({ text: `SELECT ${email}, points FROM patrons WHERE id = (SELECT max(id) FROM patrons)` }),
        ],
      });
    await withMigrations(db, { '0001_patrons.json': migration }, async (runner) => {
      await runLifecycle({
        db,
        runner,
        tables: ['patrons'],
        oldApp: app('old', 'email'),
        newApp: app('new', 'email_address'),
        check: async (point) => {
          if (point === 'rollback') {
            expect(await columnPrivileges()).toEqual(before);
            expect(await readAsReader('email, points')).toBeDefined();
          }
          if (point === 'switch') expect(await readAsReader('email, email_address, points')).toBeDefined();
        },
      });
    });
    // After contract: the same privileges on the new column (and the retyped one), readable by the role.
    expect(await columnPrivileges()).toEqual([
      'email_address: SELECT',
      'id: SELECT',
      'points: SELECT',
      'points: UPDATE*',
    ]);
    expect(await readAsReader('id, email_address, points')).toMatchObject({ email_address: 'p1@example.com' });
    expect(
      await db.query(
        `SELECT attname, format_type(atttypid, atttypmod) AS type, col_description(attrelid, attnum) AS comment
           FROM pg_attribute WHERE attrelid = 'patrons'::regclass AND attname IN ('email_address', 'points') ORDER BY 1`,
      ),
    ).toEqual([
      { attname: 'email_address', type: 'text', comment: 'where receipts go' },
      { attname: 'points', type: 'bigint', comment: 'loyalty points' },
    ]);
  });
});

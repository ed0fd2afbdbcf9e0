import { beforeAll, describe, expect, it } from 'vitest';
import type { MigrationFile } from '../../src/migration/load.js';
import { planMigration } from '../../src/plan/planner.js';
import { renderPlan } from '../../src/plan/render.js';
import { stepSql } from '../../src/plan/describe.js';
import { loadParser } from '../../src/sql/parser.js';
import { ValidationError } from '../../src/errors.js';
import { catalog as fakeCatalog, col as column, table, usersFixture as users } from '../helpers/catalog.js';

beforeAll(() => loadParser());

function migration(operations: unknown[]): MigrationFile {
  return {
    name: '0001_rename',
    file: '/m/0001_rename.json',
    checksum: 'abc',
    spec: { operations } as MigrationFile['spec'],
  };
}

describe('renameColumn plan', () => {
  const plan = () =>
    planMigration(
      migration([{ op: 'renameColumn', table: 'users', from: 'user_email', to: 'email_address' }]),
      fakeCatalog([users]),
    );

  it('has deterministic step ids in phase order', () => {
    expect(plan().steps.map((s) => s.id)).toEqual([
      'rename_column:public.users.user_email:expand:1',
      'rename_column:public.users.user_email:expand:2',
      'backfill:public.users:backfill:1',
      'rename_column:public.users.user_email:switch:1',
      'rename_column:public.users.user_email:switch:2',
      'rename_column:public.users.user_email:contract:1',
    ]);
  });

  it('emits exactly this SQL', () => {
    const sql = Object.fromEntries(plan().steps.map((s) => [s.id, stepSql(s)]));
    expect(sql['rename_column:public.users.user_email:expand:1']![0]).toBe(
      'ALTER TABLE public.users ADD COLUMN email_address character varying(200)',
    );
    expect(sql['rename_column:public.users.user_email:expand:1']![2]).toBe(
      "CREATE TRIGGER zdm_sync_users_user_email_email_address BEFORE INSERT OR UPDATE ON public.users FOR EACH ROW WHEN (current_setting('zdm.backfill', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION public.zdm_sync_users_user_email_email_address()",
    );
    expect(sql['rename_column:public.users.user_email:expand:1']![3]).toBe(
      'ALTER TABLE public.users ADD CONSTRAINT users_email_address_zdm_not_null CHECK (email_address IS NOT NULL) NOT VALID',
    );
    expect(sql['rename_column:public.users.user_email:expand:2']).toEqual([
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_user_email_key_zdm ON public.users (email_address)',
    ]);
    expect(sql['backfill:public.users:backfill:1']!.slice(1)).toEqual([
      'SELECT id::text AS k0 FROM public.users WHERE id > $1::bigint ORDER BY id OFFSET $2 LIMIT 1',
      'UPDATE public.users SET email_address = user_email WHERE id > $1::bigint AND id <= $2::bigint AND (email_address IS DISTINCT FROM user_email)',
    ]);
    expect(sql['rename_column:public.users.user_email:switch:1']).toEqual([
      'SELECT id, user_email, email_address FROM public.users WHERE email_address IS DISTINCT FROM user_email LIMIT 10',
    ]);
    expect(sql['rename_column:public.users.user_email:contract:1']).toEqual([
      'DROP TRIGGER zdm_sync_users_user_email_email_address ON public.users',
      'DROP FUNCTION public.zdm_sync_users_user_email_email_address()',
      "ALTER TABLE public.users ALTER COLUMN email_address SET DEFAULT 'x'::character varying",
      'ALTER TABLE public.users DROP COLUMN user_email',
      'ALTER TABLE public.users ALTER COLUMN email_address SET NOT NULL',
      'ALTER TABLE public.users DROP CONSTRAINT users_email_address_zdm_not_null',
      'ALTER TABLE public.users ADD CONSTRAINT users_user_email_key UNIQUE USING INDEX users_user_email_key_zdm',
    ]);
  });

  it('states each step lock, scan and rewrite', () => {
    const byId = new Map(plan().steps.map((s) => [s.id, s.impact]));
    expect(byId.get('rename_column:public.users.user_email:expand:1')).toMatchObject({
      lockDuration: 'brief',
      rewritesTable: false,
      scansTable: false,
      locks: [{ mode: 'ACCESS EXCLUSIVE' }],
    });
    expect(byId.get('rename_column:public.users.user_email:expand:2')).toMatchObject({
      lockDuration: 'scan',
      scansTable: true,
      estimatedRows: 1000,
      locks: [{ mode: 'SHARE UPDATE EXCLUSIVE' }],
    });
    expect(byId.get('rename_column:public.users.user_email:switch:2')).toMatchObject({
      locks: [{ mode: 'SHARE UPDATE EXCLUSIVE' }],
      scansTable: true,
    });
  });

  it('renders text, markdown and json with gates and notes', () => {
    const p = plan();
    expect(renderPlan(p, 'text')).toContain('gate: replica lag below --max-lag');
    expect(renderPlan(p, 'markdown')).toContain(
      '| contract | `rename_column:public.users.user_email:contract:1` | ACCESS EXCLUSIVE (brief) | no | no | - |',
    );
    const json = JSON.parse(renderPlan(p, 'json')) as {
      formatVersion: number;
      steps: { id: string; sql: string[]; status: string }[];
    };
    expect(json.formatVersion).toBe(1);
    expect(json.steps[0]).toMatchObject({ id: 'rename_column:public.users.user_email:expand:1', status: 'pending' });
  });

  it('reports every problem at once, naming file, path and object', () => {
    try {
      planMigration(
        migration([
          { op: 'renameColumn', table: 'users', from: 'nope', to: 'x' },
          { op: 'renameColumn', table: 'ghosts', from: 'a', to: 'b' },
        ]),
        fakeCatalog([users]),
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues).toEqual([
        {
          file: '/m/0001_rename.json',
          path: 'operations[0].from',
          message: 'column nope does not exist on table public.users',
        },
        {
          file: '/m/0001_rename.json',
          path: 'operations[1].table',
          message: 'table ghosts does not exist (looked up through the search_path; first schema: public)',
        },
      ]);
    }
  });

  it('walks a table without any key by physical position', () => {
    const heap = table('heap', [column('a', 'text')]);
    const p = planMigration(
      migration([{ op: 'renameColumn', table: 'heap', from: 'a', to: 'b' }]),
      fakeCatalog([heap]),
    );
    expect(p.steps.find((s) => s.kind === 'backfill')).toMatchObject({ walk: 'ctid' });
  });
});

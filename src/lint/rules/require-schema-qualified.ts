import type { Node, RangeVar } from 'libpg-query';
import { as, strings } from '../ast.js';
import { defineRule } from '../rule.js';

const RELATION_KINDS = [
  'CreateStmt',
  'AlterTableStmt',
  'IndexStmt',
  'ViewStmt',
  'RenameStmt',
  'CreateTrigStmt',
  'AlterObjectSchemaStmt',
];
const RELATION_STATEMENTS = new Set(RELATION_KINDS);

export const requireSchemaQualified = defineRule({
  id: 'require-schema-qualified',
  severity: 'warning',
  defaultOn: false,
  kinds: [...RELATION_KINDS, 'CreateTableAsStmt', 'DropStmt'],
  summary: 'an unqualified relation name in DDL depends on search_path',
  help: 'qualify the name with its schema (public.users)',
  check(ctx) {
    const { kind, body } = ctx.stmt;
    const names: string[] = [];
    if (RELATION_STATEMENTS.has(kind)) {
      const rv = (body.relation ?? body.view) as RangeVar | undefined;
      if (rv?.relname && !rv.schemaname && rv.relpersistence !== 't') names.push(rv.relname);
    } else if (kind === 'CreateTableAsStmt') {
      const rv = (body.into as { rel?: RangeVar } | undefined)?.rel;
      if (rv?.relname && !rv.schemaname && rv.relpersistence !== 't') names.push(rv.relname);
    } else if (
      kind === 'DropStmt' &&
      ['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE'].includes(
        body.removeType as string,
      )
    ) {
      for (const o of (body.objects as Node[]) ?? []) {
        const parts = strings(as<{ items?: Node[] }>(o, 'List')?.items);
        if (parts.length === 1) names.push(parts[0]!);
      }
    }
    for (const n of names)
      ctx.report({
        message:
          `${n} is not schema-qualified: which object it names depends on the search_path of ` +
          `the session that runs the migration`,
      });
  },
});

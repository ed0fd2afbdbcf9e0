import { z } from 'zod';
import { ConfigFileSchema } from '../config/schema.js';
import { MigrationSchema } from './schema.js';
import { CONFIG_SCHEMA_FILE, MIGRATION_SCHEMA_FILE } from './scaffold.js';

/**
 * The JSON Schemas of a migration file and of zdm.config.json, generated from the zod schemas
 * that validate them (so they cannot drift apart); written to schema/ by `npm run build` and
 * shipped in the package, where the files `zdm init` and `zdm new` write refer to them. Checks
 * zod runs in code (identifier lengths, SQL parsing) have no JSON Schema form: editors complete
 * and check the shape, zdm checks the rest.
 */
export function jsonSchemas(): Record<string, object> {
  const options = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const;
  return {
    [MIGRATION_SCHEMA_FILE]: {
      ...z.toJSONSchema(MigrationSchema, options),
      $id: 'https://github.com/zdm-dev/zdm/schema/migration.schema.json',
      title: 'zdm migration file',
    },
    [CONFIG_SCHEMA_FILE]: {
      ...z.toJSONSchema(ConfigFileSchema, options),
      $id: 'https://github.com/zdm-dev/zdm/schema/config.schema.json',
      title: 'zdm.config.json',
    },
  };
}

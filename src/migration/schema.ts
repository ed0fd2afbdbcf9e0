import { z } from 'zod';
import { OPERATION_SCHEMAS, type OperationSpec } from '../operations/registry.js';

/**
 * A migration file: `{ "operations": [ { "op": "renameColumn", ... } ] }`, the same in JSON,
 * YAML and the object a .ts/.js file exports through defineMigration().
 */
export const MigrationSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    operations: z
      .array(z.discriminatedUnion('op', OPERATION_SCHEMAS))
      .min(1, 'a migration needs at least one operation'),
  })
  .strict();

export interface MigrationSpec {
  description?: string;
  operations: OperationSpec[];
}

import { z } from 'zod';
import { renameColumn, renameColumnSchema } from './rename-column.js';
import { addColumn, addColumnSchema } from './add-column.js';
import { dropColumn, dropColumnSchema } from './drop-column.js';
import { setNotNull, setNotNullSchema } from './set-not-null.js';
import { dropNotNull, dropNotNullSchema } from './drop-not-null.js';
import { setDefault, setDefaultSchema } from './set-default.js';
import { dropDefault, dropDefaultSchema } from './drop-default.js';
import { addCheck, addCheckSchema } from './add-check.js';
import { addForeignKey, addForeignKeySchema } from './add-foreign-key.js';
import { addUnique, addUniqueSchema } from './add-unique.js';
import { addPrimaryKey, addPrimaryKeySchema } from './add-primary-key.js';
import { createIndex, createIndexSchema } from './create-index.js';
import { dropIndex, dropIndexSchema } from './drop-index.js';
import { addEnumValue, addEnumValueSchema } from './add-enum-value.js';
import { changeColumnType, changeColumnTypeSchema } from './change-column-type.js';
import { createTable, createTableSchema } from './create-table.js';
import { dropTable, dropTableSchema } from './drop-table.js';
import { renameTable, renameTableSchema } from './rename-table.js';
import { sql, sqlSchema } from './sql.js';
import { dropConstraint, dropConstraintSchema } from './drop-constraint.js';
import { renameConstraint, renameConstraintSchema } from './rename-constraint.js';
import { setComment, setCommentSchema } from './set-comment.js';
import { setReplicaIdentity, setReplicaIdentitySchema } from './set-replica-identity.js';
import { transformColumn, transformColumnSchema } from './transform-column.js';
import type { OperationDefinition } from './types.js';

/**
 * Every operation's file shape. Adding an operation: add its schema here and its definition to
 * OPERATIONS below; the mapped type makes the registry fail to compile until both are present.
 */
export const OPERATION_SCHEMAS = [
  renameColumnSchema,
  addColumnSchema,
  dropColumnSchema,
  setNotNullSchema,
  dropNotNullSchema,
  setDefaultSchema,
  dropDefaultSchema,
  addCheckSchema,
  addForeignKeySchema,
  addUniqueSchema,
  addPrimaryKeySchema,
  createIndexSchema,
  dropIndexSchema,
  changeColumnTypeSchema,
  transformColumnSchema,
  createTableSchema,
  dropTableSchema,
  renameTableSchema,
  addEnumValueSchema,
  sqlSchema,
  dropConstraintSchema,
  renameConstraintSchema,
  setCommentSchema,
  setReplicaIdentitySchema,
] as const;

export type OperationSpec = z.infer<(typeof OPERATION_SCHEMAS)[number]>;
export type OperationKind = OperationSpec['op'];
export type OperationOf<K extends OperationKind> = Extract<OperationSpec, { op: K }>;

const OPERATIONS: { readonly [K in OperationKind]: OperationDefinition<OperationOf<K>> } = {
  renameColumn,
  addColumn,
  dropColumn,
  setNotNull,
  dropNotNull,
  setDefault,
  dropDefault,
  addCheck,
  addForeignKey,
  addUnique,
  addPrimaryKey,
  createIndex,
  dropIndex,
  changeColumnType,
  transformColumn,
  createTable,
  dropTable,
  renameTable,
  addEnumValue,
  sql,
  dropConstraint,
  renameConstraint,
  setComment,
  setReplicaIdentity,
};

export const OPERATION_KINDS = Object.keys(OPERATIONS) as OperationKind[];

export function definitionOf<K extends OperationKind>(spec: OperationOf<K>): OperationDefinition<OperationOf<K>> {
  return OPERATIONS[spec.op as K] as OperationDefinition<OperationOf<K>>;
}

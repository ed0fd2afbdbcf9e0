/**
 * Every lint rule, one file each. RULE_IDS fixes the ids (stable: users name them in config and
 * comments); the registry's type makes a listed id without its rule, or a rule under the wrong id,
 * a compile error, and test/lint/registry.test.ts checks that every file here is listed.
 */
import type { LintRule } from '../rule.js';
import { createIndexNonConcurrent } from './create-index-non-concurrent.js';
import { dropIndexNonConcurrent } from './drop-index-non-concurrent.js';
import { reindexNonConcurrent } from './reindex-non-concurrent.js';
import { concurrentlyInTransaction } from './concurrently-in-transaction.js';
import { concurrentIndexPg14Corruption } from './concurrent-index-pg14-corruption.js';
import { vacuumFullOrCluster } from './vacuum-full-or-cluster.js';
import { refreshMatviewBlocking } from './refresh-matview-blocking.js';
import { addCheckConstraintValidating } from './add-check-constraint-validating.js';
import { addForeignKeyValidating } from './add-foreign-key-validating.js';
import { validateInSameTransaction } from './validate-in-same-transaction.js';
import { addUniqueConstraint } from './add-unique-constraint.js';
import { addPrimaryKey } from './add-primary-key.js';
import { addPrimaryKeyUsingIndexNullable } from './add-primary-key-using-index-nullable.js';
import { addExclusionConstraint } from './add-exclusion-constraint.js';
import { setNotNull } from './set-not-null.js';
import { domainConstraintScan } from './domain-constraint-scan.js';
import { dropConstraint } from './drop-constraint.js';
import { addColumnRewritingDefault } from './add-column-rewriting-default.js';
import { addColumnAutoIncrement } from './add-column-auto-increment.js';
import { addColumnGeneratedStored } from './add-column-generated-stored.js';
import { addColumnRequired } from './add-column-required.js';
import { addColumnConstrainedDomain } from './add-column-constrained-domain.js';
import { changeColumnType } from './change-column-type.js';
import { setLoggedUnlogged } from './set-logged-unlogged.js';
import { setTablespace } from './set-tablespace.js';
import { setAccessMethod } from './set-access-method.js';
import { detachPartitionNonConcurrent } from './detach-partition-non-concurrent.js';
import { attachPartitionScan } from './attach-partition-scan.js';
import { renameColumn } from './rename-column.js';
import { renameTable } from './rename-table.js';
import { renameSchema } from './rename-schema.js';
import { renameEnumValue } from './rename-enum-value.js';
import { dropColumn } from './drop-column.js';
import { dropTable } from './drop-table.js';
import { dropSchema } from './drop-schema.js';
import { dropDatabase } from './drop-database.js';
import { dropNotNull } from './drop-not-null.js';
import { dropCascade } from './drop-cascade.js';
import { truncateTable } from './truncate-table.js';
import { truncateCascade } from './truncate-cascade.js';
import { jsonColumn } from './json-column.js';
import { enumAddValueInTransaction } from './enum-add-value-in-transaction.js';
import { missingLockTimeout } from './missing-lock-timeout.js';
import { missingStatementTimeout } from './missing-statement-timeout.js';
import { transactionNesting } from './transaction-nesting.js';
import { uncommittedTransaction } from './uncommitted-transaction.js';
import { holdAccessExclusiveAcrossStatements } from './hold-access-exclusive-across-statements.js';
import { multipleAlterSameTable } from './multiple-alter-same-table.js';
import { backfillInMigration } from './backfill-in-migration.js';
import { opaqueDynamicSql } from './opaque-dynamic-sql.js';
import { duplicateColumnAssignment } from './duplicate-column-assignment.js';
import { identifierTooLong } from './identifier-too-long.js';
import { preferBigint } from './prefer-bigint.js';
import { preferIdentity } from './prefer-identity.js';
import { preferTextOverVarchar } from './prefer-text-over-varchar.js';
import { preferTimestamptz } from './prefer-timestamptz.js';
import { banCharType } from './ban-char-type.js';
import { requireSchemaQualified } from './require-schema-qualified.js';
import { preferRobustStatements } from './prefer-robust-statements.js';
import { indexTooManyColumns } from './index-too-many-columns.js';
import { fkWithoutIndex } from './fk-without-index.js';
import { createEnum } from './create-enum.js';
import { createDomainWithConstraint } from './create-domain-with-constraint.js';
import { enumAddValueUnordered } from './enum-add-value-unordered.js';
import { triggerChangeOnExistingTable } from './trigger-change-on-existing-table.js';

/** Rule ids in the order of the rule table in src/lint/rules/README.md. */
export const RULE_IDS = [
  'create-index-non-concurrent',
  'drop-index-non-concurrent',
  'reindex-non-concurrent',
  'concurrently-in-transaction',
  'concurrent-index-pg14-corruption',
  'vacuum-full-or-cluster',
  'refresh-matview-blocking',
  'add-check-constraint-validating',
  'add-foreign-key-validating',
  'validate-in-same-transaction',
  'add-unique-constraint',
  'add-primary-key',
  'add-primary-key-using-index-nullable',
  'add-exclusion-constraint',
  'set-not-null',
  'domain-constraint-scan',
  'drop-constraint',
  'add-column-rewriting-default',
  'add-column-auto-increment',
  'add-column-generated-stored',
  'add-column-required',
  'add-column-constrained-domain',
  'change-column-type',
  'set-logged-unlogged',
  'set-tablespace',
  'set-access-method',
  'detach-partition-non-concurrent',
  'attach-partition-scan',
  'rename-column',
  'rename-table',
  'rename-schema',
  'rename-enum-value',
  'drop-column',
  'drop-table',
  'drop-schema',
  'drop-database',
  'drop-not-null',
  'drop-cascade',
  'truncate-table',
  'truncate-cascade',
  'json-column',
  'enum-add-value-in-transaction',
  'missing-lock-timeout',
  'missing-statement-timeout',
  'transaction-nesting',
  'uncommitted-transaction',
  'hold-access-exclusive-across-statements',
  'multiple-alter-same-table',
  'backfill-in-migration',
  'opaque-dynamic-sql',
  'duplicate-column-assignment',
  'identifier-too-long',
  'prefer-bigint',
  'prefer-identity',
  'prefer-text-over-varchar',
  'prefer-timestamptz',
  'ban-char-type',
  'require-schema-qualified',
  'prefer-robust-statements',
  'index-too-many-columns',
  'fk-without-index',
  'create-enum',
  'create-domain-with-constraint',
  'enum-add-value-unordered',
  'trigger-change-on-existing-table',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

const REGISTRY: { readonly [K in RuleId]: LintRule<K> } = {
  'create-index-non-concurrent': createIndexNonConcurrent,
  'drop-index-non-concurrent': dropIndexNonConcurrent,
  'reindex-non-concurrent': reindexNonConcurrent,
  'concurrently-in-transaction': concurrentlyInTransaction,
  'concurrent-index-pg14-corruption': concurrentIndexPg14Corruption,
  'vacuum-full-or-cluster': vacuumFullOrCluster,
  'refresh-matview-blocking': refreshMatviewBlocking,
  'add-check-constraint-validating': addCheckConstraintValidating,
  'add-foreign-key-validating': addForeignKeyValidating,
  'validate-in-same-transaction': validateInSameTransaction,
  'add-unique-constraint': addUniqueConstraint,
  'add-primary-key': addPrimaryKey,
  'add-primary-key-using-index-nullable': addPrimaryKeyUsingIndexNullable,
  'add-exclusion-constraint': addExclusionConstraint,
  'set-not-null': setNotNull,
  'domain-constraint-scan': domainConstraintScan,
  'drop-constraint': dropConstraint,
  'add-column-rewriting-default': addColumnRewritingDefault,
  'add-column-auto-increment': addColumnAutoIncrement,
  'add-column-generated-stored': addColumnGeneratedStored,
  'add-column-required': addColumnRequired,
  'add-column-constrained-domain': addColumnConstrainedDomain,
  'change-column-type': changeColumnType,
  'set-logged-unlogged': setLoggedUnlogged,
  'set-tablespace': setTablespace,
  'set-access-method': setAccessMethod,
  'detach-partition-non-concurrent': detachPartitionNonConcurrent,
  'attach-partition-scan': attachPartitionScan,
  'rename-column': renameColumn,
  'rename-table': renameTable,
  'rename-schema': renameSchema,
  'rename-enum-value': renameEnumValue,
  'drop-column': dropColumn,
  'drop-table': dropTable,
  'drop-schema': dropSchema,
  'drop-database': dropDatabase,
  'drop-not-null': dropNotNull,
  'drop-cascade': dropCascade,
  'truncate-table': truncateTable,
  'truncate-cascade': truncateCascade,
  'json-column': jsonColumn,
  'enum-add-value-in-transaction': enumAddValueInTransaction,
  'missing-lock-timeout': missingLockTimeout,
  'missing-statement-timeout': missingStatementTimeout,
  'transaction-nesting': transactionNesting,
  'uncommitted-transaction': uncommittedTransaction,
  'hold-access-exclusive-across-statements': holdAccessExclusiveAcrossStatements,
  'multiple-alter-same-table': multipleAlterSameTable,
  'backfill-in-migration': backfillInMigration,
  'opaque-dynamic-sql': opaqueDynamicSql,
  'duplicate-column-assignment': duplicateColumnAssignment,
  'identifier-too-long': identifierTooLong,
  'prefer-bigint': preferBigint,
  'prefer-identity': preferIdentity,
  'prefer-text-over-varchar': preferTextOverVarchar,
  'prefer-timestamptz': preferTimestamptz,
  'ban-char-type': banCharType,
  'require-schema-qualified': requireSchemaQualified,
  'prefer-robust-statements': preferRobustStatements,
  'index-too-many-columns': indexTooManyColumns,
  'fk-without-index': fkWithoutIndex,
  'create-enum': createEnum,
  'create-domain-with-constraint': createDomainWithConstraint,
  'enum-add-value-unordered': enumAddValueUnordered,
  'trigger-change-on-existing-table': triggerChangeOnExistingTable,
};

export const RULES: readonly LintRule<RuleId>[] = RULE_IDS.map((id) => REGISTRY[id] as LintRule<RuleId>);

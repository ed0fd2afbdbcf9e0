import { addColumn, defineMigration } from 'zdm';

/**
 * Two columns on one table, served by one backfill pass:
 * - kind: NOT NULL with a CHECK, computed for existing rows (and rows the running version inserts)
 *   from `express`;
 * - buyer_id: a foreign key to buyers, copied from user_id.
 * The constraints are added NOT VALID and validated at switch, without blocking writes.
 */
export default defineMigration({
  description: 'purchases.kind (NOT NULL, CHECK) and purchases.buyer_id (REFERENCES buyers), backfilled',
  operations: [
    addColumn({
      table: 'purchases',
      column: { name: 'kind', type: 'text', nullable: false, check: "kind <> ''" },
      up: "CASE WHEN express THEN 'express' ELSE 'standard' END",
    }),
    addColumn({
      table: 'purchases',
      column: { name: 'buyer_id', type: 'bigint', references: { table: 'buyers', column: 'id', onDelete: 'set null' } },
      up: 'user_id',
    }),
  ],
});

-- expect: enum-add-value-in-transaction
BEGIN;
ALTER TYPE status ADD VALUE 'archived' AFTER 'active';
UPDATE orders SET status = 'archived' WHERE id = 1;
COMMIT;

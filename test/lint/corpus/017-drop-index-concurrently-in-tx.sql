-- expect: concurrently-in-transaction
BEGIN;
DROP INDEX CONCURRENTLY i;
COMMIT;

-- expect: concurrently-in-transaction
BEGIN;
REINDEX TABLE CONCURRENTLY users;
COMMIT;

-- expect: concurrently-in-transaction
BEGIN;
CREATE INDEX CONCURRENTLY i ON users (a);
COMMIT;

-- expect: concurrently-in-transaction
BEGIN;
ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;
COMMIT;

-- expect: none
BEGIN;
ALTER TABLE users ADD COLUMN a int;
COMMIT;

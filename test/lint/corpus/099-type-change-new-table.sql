-- expect: none
CREATE TABLE t (a int);
ALTER TABLE t ALTER COLUMN a TYPE bigint;

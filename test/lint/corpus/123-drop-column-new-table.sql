-- expect: none
CREATE TABLE t (a int, b int);
ALTER TABLE t DROP COLUMN b;

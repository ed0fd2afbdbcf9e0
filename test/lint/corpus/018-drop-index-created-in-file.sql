-- expect: none
CREATE TABLE t (a int);
CREATE INDEX i ON t (a);
DROP INDEX i;

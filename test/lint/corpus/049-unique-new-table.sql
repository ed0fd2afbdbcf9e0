-- expect: none
CREATE TABLE t (a int);
ALTER TABLE t ADD UNIQUE (a);

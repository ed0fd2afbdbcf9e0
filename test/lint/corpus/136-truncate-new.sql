-- expect: none
CREATE TABLE t (a int);
TRUNCATE t;

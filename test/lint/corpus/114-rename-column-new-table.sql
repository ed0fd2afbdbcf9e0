-- expect: none
CREATE TABLE t (a int);
ALTER TABLE t RENAME COLUMN a TO b;

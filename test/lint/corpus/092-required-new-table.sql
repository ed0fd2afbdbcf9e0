-- expect: none
CREATE TABLE t (a int);
ALTER TABLE t ADD COLUMN b int NOT NULL;

-- expect: none
CREATE TABLE t (a int);
ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);

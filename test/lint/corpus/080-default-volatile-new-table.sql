-- expect: none
CREATE TABLE t (a int);
ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();

-- expect: none
CREATE TABLE t (a bigint);
ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES users (id);

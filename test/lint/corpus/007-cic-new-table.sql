-- expect: none
CREATE TABLE t (id bigint PRIMARY KEY, a text);
CREATE INDEX t_a_idx ON t (a);

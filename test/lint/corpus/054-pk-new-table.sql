-- expect: none
CREATE TABLE t (id bigint);
ALTER TABLE t ADD PRIMARY KEY (id);

-- expect: none
CREATE TABLE t (id bigserial PRIMARY KEY);

-- expect: none
CREATE TABLE t (id bigint, payload jsonb);

-- expect: json-column
CREATE TABLE t (id bigint, payload json);

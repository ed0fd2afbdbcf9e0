-- expect: create-index-non-concurrent
CREATE TABLE IF NOT EXISTS users (id bigint);
CREATE INDEX i ON users (id);

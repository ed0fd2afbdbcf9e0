-- expect: create-index-non-concurrent
CREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz);
CREATE INDEX audit_at ON audit (at);
ALTER TABLE users ADD COLUMN audit_id bigint;
CREATE INDEX users_audit ON users (audit_id);

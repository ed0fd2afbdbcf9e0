-- expect: create-index-non-concurrent
CREATE INDEX IF NOT EXISTS i ON users (a) WHERE deleted_at IS NULL;

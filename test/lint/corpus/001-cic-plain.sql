-- expect: create-index-non-concurrent
CREATE INDEX users_email_idx ON users (email);

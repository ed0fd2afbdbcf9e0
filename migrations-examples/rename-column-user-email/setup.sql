-- users.user_email -> email_address: a NOT NULL column with a default, a unique index and a CHECK.
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  name text,
  user_email varchar(200) NOT NULL DEFAULT 'nobody@example.com',
  CONSTRAINT users_email_has_at CHECK (position('@' in user_email) > 0)
);
CREATE UNIQUE INDEX users_user_email_key ON users (user_email);
INSERT INTO users (name, user_email) SELECT 'user ' || g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g;

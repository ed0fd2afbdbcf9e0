-- expect: none
CREATE DOMAIN plain_int AS int;
ALTER TABLE users ADD COLUMN n plain_int;

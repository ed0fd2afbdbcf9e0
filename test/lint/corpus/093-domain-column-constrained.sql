-- expect: add-column-constrained-domain
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
ALTER TABLE users ADD COLUMN n posint;

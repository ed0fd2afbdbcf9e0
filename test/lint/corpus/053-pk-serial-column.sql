-- expect: add-column-auto-increment, add-primary-key
ALTER TABLE items ADD COLUMN id bigserial PRIMARY KEY;

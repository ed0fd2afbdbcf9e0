-- expect: add-column-required
ALTER TABLE users ADD COLUMN tier text NOT NULL;

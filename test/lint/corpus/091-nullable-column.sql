-- expect: none
ALTER TABLE users ADD COLUMN tier text;

-- expect: none
ALTER TABLE users ADD COLUMN tier text NOT NULL DEFAULT 'free';

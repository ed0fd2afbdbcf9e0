-- expect: none
ALTER TABLE users ADD COLUMN x text DEFAULT 'a' || 'b';

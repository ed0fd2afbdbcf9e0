-- expect: none
ALTER TABLE users ADD COLUMN u text DEFAULT upper('x');

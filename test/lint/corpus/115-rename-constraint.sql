-- expect: none
ALTER TABLE users RENAME CONSTRAINT a TO b;

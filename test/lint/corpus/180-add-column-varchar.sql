-- expect: none
ALTER TABLE users ADD COLUMN nickname varchar(50);

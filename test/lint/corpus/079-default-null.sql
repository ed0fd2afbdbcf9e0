-- expect: none
ALTER TABLE users ADD COLUMN n int DEFAULT NULL;

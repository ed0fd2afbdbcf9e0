-- expect: none
CREATE TABLE users_backup AS SELECT * FROM users;

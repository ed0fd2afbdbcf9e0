-- expect: none
CREATE VIEW active_users AS SELECT * FROM users WHERE active;

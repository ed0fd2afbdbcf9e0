-- expect: none
DROP VIEW active_users;

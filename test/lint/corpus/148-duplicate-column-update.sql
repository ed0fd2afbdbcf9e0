-- expect: duplicate-column-assignment
UPDATE users SET a = 1, a = 2;

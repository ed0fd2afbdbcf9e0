-- expect: rename-enum-value
ALTER TYPE status RENAME VALUE 'active' TO 'enabled';

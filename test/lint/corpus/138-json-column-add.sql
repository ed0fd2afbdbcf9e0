-- expect: json-column
ALTER TABLE users ADD COLUMN meta json;

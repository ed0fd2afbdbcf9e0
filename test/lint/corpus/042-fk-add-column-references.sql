-- expect: add-foreign-key-validating
ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);

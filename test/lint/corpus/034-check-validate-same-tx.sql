-- expect: validate-in-same-transaction
BEGIN;
ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT c;
COMMIT;

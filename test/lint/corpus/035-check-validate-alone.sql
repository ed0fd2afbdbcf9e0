-- expect: none
ALTER TABLE users VALIDATE CONSTRAINT c;

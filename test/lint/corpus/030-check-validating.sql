-- expect: add-check-constraint-validating
ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0);

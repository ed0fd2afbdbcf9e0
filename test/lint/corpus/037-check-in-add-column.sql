-- expect: add-check-constraint-validating
ALTER TABLE users ADD COLUMN score int CHECK (score >= 0);

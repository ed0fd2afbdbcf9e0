-- expect: domain-constraint-scan
ALTER DOMAIN positive_int ADD CONSTRAINT pos CHECK (VALUE > 0);

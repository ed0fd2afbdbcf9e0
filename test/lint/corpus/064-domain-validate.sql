-- expect: domain-constraint-scan
ALTER DOMAIN positive_int VALIDATE CONSTRAINT pos;

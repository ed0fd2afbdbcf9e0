-- expect: domain-constraint-scan
ALTER DOMAIN email SET NOT NULL;

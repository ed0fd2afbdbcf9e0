-- expect: none
GRANT SELECT ON users TO reporting;

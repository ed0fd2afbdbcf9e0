-- expect: vacuum-full-or-cluster
VACUUM (FULL, ANALYZE) users;

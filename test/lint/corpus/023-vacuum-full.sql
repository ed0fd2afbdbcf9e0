-- expect: vacuum-full-or-cluster
VACUUM FULL users;

-- expect: vacuum-full-or-cluster
CLUSTER users USING users_pkey;

-- expect: reindex-non-concurrent
REINDEX INDEX users_email_idx;

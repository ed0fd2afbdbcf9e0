-- expect: none
REINDEX INDEX CONCURRENTLY users_email_idx;

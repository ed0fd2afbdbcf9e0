-- expect: truncate-cascade, truncate-table
TRUNCATE users CASCADE;

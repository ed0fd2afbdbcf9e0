-- expect: truncate-table
TRUNCATE users;

-- expect: create-index-non-concurrent
CREATE TABLE "Users" (a int);
CREATE INDEX i ON users (a);

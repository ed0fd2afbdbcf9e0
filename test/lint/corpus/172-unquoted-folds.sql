-- expect: none
CREATE TABLE USERS (a int);
CREATE INDEX i ON users (a);

-- expect: none
CREATE TABLE tmp (a int);
DROP TABLE tmp;

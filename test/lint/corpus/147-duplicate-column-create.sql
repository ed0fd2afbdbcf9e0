-- expect: duplicate-column-assignment
CREATE TABLE t (a int, b int, a text);

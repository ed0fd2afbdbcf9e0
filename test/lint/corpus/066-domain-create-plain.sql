-- expect: none
CREATE DOMAIN email AS text;

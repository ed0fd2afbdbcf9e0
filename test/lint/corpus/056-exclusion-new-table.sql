-- expect: none
CREATE TABLE b (room int, during tstzrange, EXCLUDE USING gist (during WITH &&));

-- expect: none
ALTER TABLE events SET (fillfactor = 70);

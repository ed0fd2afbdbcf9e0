-- expect: set-access-method
ALTER TABLE events SET ACCESS METHOD heap2;

-- expect: set-tablespace
ALTER TABLE events SET TABLESPACE fast_disk;

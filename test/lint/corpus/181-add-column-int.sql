-- expect: none
ALTER TABLE users ADD COLUMN visits int;

-- expect: none
UPDATE users SET tier = 'free' WHERE tier IS NULL;

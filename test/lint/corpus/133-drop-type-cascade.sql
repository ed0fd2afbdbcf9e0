-- expect: drop-cascade
DROP TYPE status CASCADE;

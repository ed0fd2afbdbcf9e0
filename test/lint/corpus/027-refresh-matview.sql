-- expect: refresh-matview-blocking
REFRESH MATERIALIZED VIEW daily_stats;

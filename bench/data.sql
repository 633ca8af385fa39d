-- The benchmark's extra table: 1.5M rows of random text, numbers, timestamps
-- and jsonb, so the dump compresses like real data (about 4:1 with gzip, with
-- pgbench's tables beside it), not like pgbench's blank filler alone (35:1).
\ir events.sql
INSERT INTO events
SELECT g,
       (random() * 100000)::int,
       (ARRAY['deposit', 'withdrawal', 'transfer', 'fee', 'refund'])[1 + (g % 5)],
       md5(random()::text) || ' ' || CASE WHEN g % 3 = 0 THEN md5(random()::text) ELSE 'customer note ' || (g % 977) END,
       round((random() * 10000)::numeric, 2),
       '2026-01-01'::timestamptz + (g || ' seconds')::interval * 17,
       jsonb_build_object('ip', '10.' || (g % 256) || '.' || ((g / 256) % 256) || '.1',
                          'agent', (ARRAY['web', 'ios', 'android', 'api'])[1 + (g % 4)],
                          'score', round(random()::numeric, 4),
                          'ref', md5(random()::text))
FROM generate_series(1, 1500000) g;
CREATE INDEX ON events (account);

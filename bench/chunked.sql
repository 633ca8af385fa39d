-- bench/run-chunked's data set, in database bench: three tables that change
-- the way a real application's do between two hourly backups. psql variables
-- give the row counts: events, cold, hot. Random text, numbers, timestamps
-- and jsonb, so the dump gzips about 4:1 like real data.
--
-- events: append-only (a ledger, an audit log); rows only ever added, ids
--   and times increasing, so a dump writes the new ones at the end.
-- archive: cold, last year's orders; never changes.
-- accounts: hot; a few percent of its rows updated each hour, which moves
--   those rows to other places of the heap, so of the dump too.
\ir events.sql
CREATE TABLE archive (
	id bigint PRIMARY KEY,
	customer int NOT NULL,
	sku text NOT NULL,
	quantity int NOT NULL,
	price numeric(10, 2) NOT NULL,
	status text NOT NULL,
	ordered timestamptz NOT NULL,
	address text,
	details jsonb
);
CREATE TABLE accounts (
	id int PRIMARY KEY,
	name text NOT NULL,
	email text NOT NULL,
	balance numeric(14, 2) NOT NULL,
	status text NOT NULL,
	updated timestamptz NOT NULL,
	settings jsonb
);

-- add_events(n): the next n events, as an hour of the application adds them.
CREATE FUNCTION add_events(n bigint) RETURNS void LANGUAGE sql AS $$
INSERT INTO events
SELECT g,
       (random() * 100000)::int,
       (ARRAY['deposit', 'withdrawal', 'transfer', 'fee', 'refund'])[1 + (g % 5)],
       CASE WHEN g % 4 = 0 THEN md5(random()::text) ELSE 'customer note ' || (g % 977) END,
       round((random() * 10000)::numeric, 2),
       '2026-01-01'::timestamptz + (g || ' seconds')::interval * 17,
       jsonb_build_object('ip', '10.' || (g % 256) || '.' || ((g / 256) % 256) || '.1',
                          'agent', (ARRAY['web', 'ios', 'android', 'api'])[1 + (g % 4)],
                          'score', round(random()::numeric, 4),
                          'ref', left(md5(random()::text), 12))
FROM generate_series((SELECT coalesce(max(id), 0) + 1 FROM events),
                     (SELECT coalesce(max(id), 0) + n FROM events)) g
$$;

-- touch_accounts(fraction): an hour of updates to the hot table.
CREATE FUNCTION touch_accounts(fraction float8) RETURNS void LANGUAGE sql AS $$
UPDATE accounts
SET balance = balance + round((random() * 200 - 100)::numeric, 2),
    status = (ARRAY['active', 'active', 'active', 'suspended', 'review'])[1 + (random() * 4)::int],
    updated = updated + interval '1 hour',
    settings = settings || jsonb_build_object('seen', (random() * 1e6)::int)
WHERE random() < fraction
$$;

SELECT add_events(:events);

INSERT INTO archive
SELECT g,
       (random() * 50000)::int,
       'SKU-' || lpad(((g::bigint * 7919) % 20000)::text, 5, '0'),
       1 + (random() * 5)::int,
       round((random() * 500)::numeric, 2),
       (ARRAY['delivered', 'delivered', 'delivered', 'returned', 'cancelled'])[1 + (g % 5)],
       '2025-01-01'::timestamptz + (g || ' seconds')::interval * 31,
       (g % 500) || ' ' || (ARRAY['Main Street', 'Station Road', 'Rue de la Paix', 'Hauptstrasse', 'Via Roma'])[1 + (g % 5)]
           || ', ' || (ARRAY['Springfield', 'Lyon', 'Berlin', 'Milano', 'Leeds', 'Utrecht'])[1 + (g % 6)],
       jsonb_build_object('carrier', (ARRAY['dhl', 'ups', 'post'])[1 + (g % 3)],
                          'tracking', upper(left(md5(random()::text), 18)),
                          'gift', g % 11 = 0)
FROM generate_series(1, :cold) g;

INSERT INTO accounts
SELECT g,
       (ARRAY['Anna', 'Ben', 'Chloe', 'David', 'Emma', 'Felix', 'Grace', 'Hugo'])[1 + (g % 8)]
           || ' ' || (ARRAY['Smith', 'Martin', 'Müller', 'Rossi', 'Jansen', 'Dubois', 'Brown'])[1 + (g % 7)],
       'user' || g || '@' || (ARRAY['example.com', 'mail.example.org', 'corp.example.net'])[1 + (g % 3)],
       round((random() * 100000)::numeric, 2),
       'active',
       '2026-01-01'::timestamptz + (g || ' seconds')::interval,
       jsonb_build_object('lang', (ARRAY['en', 'de', 'fr', 'it', 'nl'])[1 + (g % 5)],
                          'newsletter', g % 2 = 0,
                          'token', md5(random()::text))
FROM generate_series(1, :hot) g;
CREATE INDEX ON events (account);
CREATE INDEX ON archive (customer);

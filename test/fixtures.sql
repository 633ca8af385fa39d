-- Sample data for the tests and the demo: two databases with roles, grants,
-- jsonb, bytea, non-ASCII text and a large object. Run with psql against
-- the maintenance database; it creates everything it needs.
CREATE ROLE appuser LOGIN PASSWORD 'app-pw';
CREATE ROLE reporter NOLOGIN;
CREATE DATABASE app OWNER appuser;
CREATE DATABASE shop;
\connect app
SET ROLE appuser;
CREATE TABLE notes (
	id serial PRIMARY KEY,
	body text NOT NULL,
	meta jsonb,
	blob bytea,
	created timestamptz DEFAULT '2026-01-01 00:00:00+00'
);
INSERT INTO notes (body, meta, blob) VALUES
	('plain', '{"a": 1}', '\x00ff10'),
	('Ünïcödé — 日本語 ✓', '{"tags": ["ä", "ß"], "n": null}', decode('deadbeef', 'hex')),
	(repeat('long line ', 500), '[]', NULL);
INSERT INTO notes (body, meta)
	SELECT md5(g::text), jsonb_build_object('g', g) FROM generate_series(1, 2000) g;
RESET ROLE;
GRANT SELECT ON notes TO reporter;
SELECT lo_from_bytea(424242, 'large object contents');
ALTER LARGE OBJECT 424242 OWNER TO appuser;
\connect shop
CREATE SCHEMA sales;
CREATE TABLE sales.orders (id bigint PRIMARY KEY, item text, amount numeric(10, 2));
INSERT INTO sales.orders SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 500) g;
CREATE VIEW sales.big AS SELECT * FROM sales.orders WHERE amount > 100;
GRANT USAGE ON SCHEMA sales TO reporter;
GRANT SELECT ON ALL TABLES IN SCHEMA sales TO reporter;

-- The events table of bench/data.sql and bench/chunked.sql: a ledger's
-- entries, random text, numbers, timestamps and jsonb.
CREATE TABLE events (
	id bigint PRIMARY KEY,
	account int NOT NULL,
	kind text NOT NULL,
	note text,
	amount numeric(12, 2),
	happened timestamptz NOT NULL,
	payload jsonb
);

/*
 * Adapts a mariadb-dump script to a restore, section by section: each
 * database's part starts at the "-- Current Database: `name`" comment that
 * --databases and --all-databases write before it. The mysql system
 * schema's section is left out unless asked for; with a single database
 * asked for (RECOVER_DATABASE) only its section is kept, its CREATE
 * DATABASE, USE and ALTER DATABASE lines naming it under its new name
 * (RECOVER_AS). What comes before the first section (session settings) is
 * kept. A dump that lacks the database asked for fails at its end, naming
 * those it holds.
 */
#ifndef TIERDUMP_MARIADB_FILTER_H
#define TIERDUMP_MARIADB_FILTER_H

#include <stddef.h>

#include "util/stream.h"

/* Room for a quoted name: MariaDB's 64 characters, each doubled or UTF-8, and the quotes. */
#define MY_QUOTED_MAX 600

/*
 * name as a backquoted identifier, backquotes within doubled, into buf (len
 * bytes): what the dump writes and what SQL we run takes. 0, or -1 when it
 * does not fit.
 */
int my_quote_name(const char *name, char *buf, size_t len);

/*
 * Wraps inner (which it owns): mysql_schema keeps the mysql schema's
 * section; only (or NULL: every database) the database kept, renamed to
 * rename when not NULL. Returns NULL after fail(), having closed inner.
 */
struct source *my_filter_source(struct source *inner, int mysql_schema, const char *only,
				const char *rename);

#endif

/*
 * Counts each table's rows in a plain pg_dump or pg_dumpall script as it
 * streams into the store: the data of a table is the lines between
 * `COPY schema.table (...) FROM stdin;` and `\.`, one row a line (COPY's
 * text format escapes newlines in values), in the database the last
 * `\connect` named. Exact and nearly free: no query, no second pass.
 */
#ifndef TIERDUMP_PG_ROWCOUNT_H
#define TIERDUMP_PG_ROWCOUNT_H

#include <stddef.h>

#include "backup/rowcounts.h"
#include "util/stream.h"

/*
 * Wraps inner (which it owns): passes every byte on unchanged and, at
 * commit, adds the counts under file's name to counts (which must outlive
 * the sink). Returns NULL after fail(), inner aborted.
 */
struct sink *pg_rowcount_sink(struct sink *inner, struct rowcounts *counts, const char *file);

/*
 * The database a `\connect` line of pg_dump names (line without its
 * newline, len bytes), as a new string the caller frees; NULL when the line
 * is something else.
 */
char *pg_connect_line_database(const char *line, size_t len);

/* A double-quoted identifier starting at p (at the quote): its end, or NULL. */
const char *pg_quoted_end(const char *p, const char *end);

/*
 * Whether table is a qualified name as pg_dump writes it (identifiers bare
 * or double-quoted, joined by dots): safe to put into a query as it is.
 */
int pg_qualified_name_ok(const char *table);

#endif

/*
 * Rows per table, counted as a dump streamed past, for a test-restore to
 * compare with what came back. Kept in a small text file beside the
 * manifest (the manifest's lines are too short for thousands of tables);
 * the manifest records its SHA-256, so it is as trustworthy as the dump.
 */
#ifndef TIERDUMP_ROWCOUNTS_H
#define TIERDUMP_ROWCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "backup/manifest.h"
#include "util/stream.h"

struct rowcount {
	char *file; /* the dump file of the backup that holds the table */
	char *database;
	char *table; /* as the engine's counter names it (PostgreSQL: schema.table, quoted) */
	uint64_t rows;
};

struct rowcounts {
	struct rowcount *items;
	size_t n, cap;
};

/* Adds one count (strings copied). Returns 0, or -1 out of memory. */
int rowcounts_add(struct rowcounts *rc, const char *file, const char *database, const char *table,
		  uint64_t rows);

/* Moves every count of from to the end of to, leaving from empty. Returns 0 or -1. */
int rowcounts_move(struct rowcounts *to, struct rowcounts *from);

/* The file's text, a new string the caller frees; NULL when out of memory. */
char *rowcounts_render(const struct rowcounts *rc);

/*
 * Parses the file's text into rc (zeroed first). Returns 0, or -1 with a
 * reason in err (errlen bytes) naming the line.
 */
int rowcounts_parse(const char *text, struct rowcounts *rc, char *err, size_t errlen);

/* The SHA-256 of text, as lowercase hex, into hex. */
void rowcounts_sha256(const char *text, char hex[DIGEST_HEX_LEN + 1]);

/*
 * Where a scanner is in the dump: the first member of every scanner's state,
 * so that the sink frees what it holds.
 */
struct rowcount_place {
	char *database; /* as the dump last named it */
	char *table;	/* whose data is streaming, or NULL */
	uint64_t rows;	/* of it so far */
};

/* What reads an engine's dump for its row counts, a few bytes at a time. */
struct rowcount_scanner {
	/* Reads the next len bytes; adds each table whose data ended to found. Returns 0 or -1. */
	int (*scan)(void *state, const char *buf, size_t len, const char *file,
		    struct rowcounts *found);
	/* Whether the dump may end here (not inside a table's data). */
	int (*complete)(void *state);
};

/*
 * A sink that passes every byte on to inner (which it owns) unchanged and
 * through ops; state (malloc'd, starting with a struct rowcount_place) is
 * the sink's to free. At commit the counts go to counts (which
 * must outlive the sink) under file's name. Returns NULL after fail(),
 * inner aborted and state freed.
 */
struct sink *rowcount_sink(struct sink *inner, struct rowcounts *counts, const char *file,
			   const struct rowcount_scanner *ops, void *state);

/* Frees everything rc holds; rc itself may be on the stack. */
void rowcounts_free(struct rowcounts *rc);

#endif

#include "engine/postgres/rowcount.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Enough for "COPY " and two quoted 63-byte identifiers whose every byte is a doubled quote. */
enum { KEEP = 1024 };

struct counter {
	struct rowcount_place at; /* first: the sink frees it */
	char line[KEEP];	  /* the start of the line being read */
	size_t kept, total;	  /* bytes of it kept, and its whole length so far */
	int in_copy;
};

const char *pg_quoted_end(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p != '"')
			continue;
		if (p + 1 < end && p[1] == '"')
			p++;
		else
			return p + 1;
	}
	return NULL;
}

/* A qualified name from p: its end, or NULL when p does not start one. */
static const char *name_end(const char *p, const char *end)
{
	static const char bare[] = "abcdefghijklmnopqrstuvwxyz0123456789_$";

	for (int part = 0; part < 2; part++) {
		if (p < end && *p == '"') {
			p = pg_quoted_end(p, end);
			if (p == NULL)
				return NULL;
		} else {
			const char *start = p;

			while (p < end && strchr(bare, *p) != NULL && *p != '\0')
				p++;
			if (p == start)
				return NULL;
		}
		if (part == 0 && (p >= end || *p != '.'))
			return p;
		if (part == 0)
			p++;
	}
	return p;
}

int pg_qualified_name_ok(const char *table)
{
	const char *end = table + strlen(table);

	return *table != '\0' && name_end(table, end) == end;
}

char *pg_connect_line_database(const char *line, size_t len)
{
	static const char cmd[] = "\\connect ", complex[] = "-reuse-previous=on \"dbname=";
	const char *p = line + strlen(cmd), *end = line + len, *stop;
	char *name, *q;

	if (len <= strlen(cmd) || memcmp(line, cmd, strlen(cmd)) != 0)
		return NULL;
	name = calloc(1, len + 1);
	if (name == NULL)
		return NULL;
	q = name;
	if ((size_t)(end - p) > strlen(complex) && memcmp(p, complex, strlen(complex)) == 0) {
		/* A connection string in a quoted identifier: dbname='it\'s', "" for a quote. */
		int quoted;

		p += strlen(complex);
		quoted = p < end && *p == '\'';
		p += quoted;
		for (; p < end && *p != (quoted ? '\'' : '"'); p++) {
			if (*p == '"' && p + 1 < end && p[1] == '"')
				p++;
			else if (quoted && *p == '\\' && p + 1 < end)
				p++;
			*q++ = *p;
		}
		if (p >= end)
			goto bad;
	} else if (*p == '"') {
		stop = pg_quoted_end(p, end);
		if (stop != end)
			goto bad;
		for (p++; p < end - 1; p++) {
			if (*p == '"')
				p++;
			*q++ = *p;
		}
	} else {
		if (memchr(p, ' ', (size_t)(end - p)) != NULL)
			goto bad;
		memcpy(q, p, (size_t)(end - p));
	}
	if (*name != '\0')
		return name;
bad:
	free(name);
	return NULL;
}

/* `COPY name (columns) FROM stdin;`: starts a table's data. */
static void start_copy(struct counter *c)
{
	static const char tail[] = " FROM stdin;";
	const char *end = c->line + c->kept, *stop;

	c->in_copy = 1;
	c->at.rows = 0;
	free(c->at.table);
	c->at.table = NULL;
	stop = name_end(c->line + 5, end);
	if (stop == NULL || stop >= end || *stop != ' ')
		return;
	/* The whole statement kept: it must be what pg_dump writes. */
	if (c->kept == c->total && (c->kept < sizeof(tail) || memcmp(end - (sizeof(tail) - 1), tail,
								     sizeof(tail) - 1) != 0)) {
		c->in_copy = 0;
		return;
	}
	c->at.table = strndup(c->line + 5, (size_t)(stop - (c->line + 5)));
}

static int end_line(struct counter *c, const char *file, struct rowcounts *found)
{
	if (c->in_copy) {
		if (c->total == 2 && c->line[0] == '\\' && c->line[1] == '.') {
			c->in_copy = 0;
			if (c->at.table != NULL && c->at.database != NULL &&
			    rowcounts_add(found, file, c->at.database, c->at.table, c->at.rows) < 0)
				return -1;
		} else {
			c->at.rows++;
		}
	} else if (c->total > 5 && memcmp(c->line, "COPY ", 5) == 0) {
		start_copy(c);
	} else if (c->line[0] == '\\' && c->kept == c->total) {
		char *db = pg_connect_line_database(c->line, c->kept);

		if (db != NULL) {
			free(c->at.database);
			c->at.database = db;
		}
	}
	return 0;
}

static int counter_scan(void *state, const char *buf, size_t len, const char *file,
			struct rowcounts *found)
{
	struct counter *c = state;
	const char *p = buf, *end = p + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		/* In a table's data only "\." matters: three bytes tell it apart. */
		size_t keep = c->in_copy ? 3 : KEEP;

		if (c->kept < keep) {
			size_t k = n < keep - c->kept ? n : keep - c->kept;

			memcpy(c->line + c->kept, p, k);
			c->kept += k;
		}
		c->total += n;
		if (nl == NULL)
			break;
		if (end_line(c, file, found) < 0)
			return -1;
		c->kept = c->total = 0;
		p = nl + 1;
	}
	return 0;
}

static int counter_complete(void *state)
{
	return !((struct counter *)state)->in_copy;
}

static const struct rowcount_scanner scanner = {
    .scan = counter_scan,
    .complete = counter_complete,
};

struct sink *pg_rowcount_sink(struct sink *inner, struct rowcounts *counts, const char *file)
{
	return rowcount_sink(inner, counts, file, &scanner, calloc(1, sizeof(struct counter)));
}

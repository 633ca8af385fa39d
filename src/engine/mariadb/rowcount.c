#include "engine/mariadb/rowcount.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Enough for "LOCK TABLES " and a 64-character name, every byte a doubled backtick in UTF-8. */
enum { KEEP = 1024 };

#define INSERT_START "INSERT INTO `"

enum quote { NONE, SINGLE, SINGLE_ESCAPE, DOUBLE, DOUBLE_ESCAPE, BACKTICK };

struct counter {
	struct rowcount_place at; /* first: the sink frees it */
	char line[KEEP];	  /* the start of the line being read, outside INSERTs */
	size_t kept;
	int skip_line; /* the rest of the line follows an INSERT's end */
	int in_insert;
	enum quote quote; /* inside an INSERT: the literal or name being read */
	int depth;	  /* inside an INSERT: parentheses open */
};

/* The name of a backticked identifier starting at p (at the backtick), or NULL. */
static char *backticked(const char *p, const char *end)
{
	char *name = calloc(1, (size_t)(end - p) + 1), *q = name;

	if (name == NULL || p >= end || *p != '`')
		goto bad;
	for (p++; p < end; p++) {
		if (*p == '`' && (p + 1 >= end || p[1] != '`'))
			return name;
		if (*p == '`')
			p++;
		*q++ = *p;
	}
bad:
	free(name);
	return NULL;
}

/* Schemas the server makes itself: a test-restore leaves them as the server has them. */
static int is_system(const char *db)
{
	return strcmp(db, "mysql") == 0 || strcmp(db, "sys") == 0 ||
	       strcmp(db, "performance_schema") == 0 || strcmp(db, "information_schema") == 0;
}

static int end_line(struct counter *c, const char *file, struct rowcounts *found)
{
	const char *end = c->line + c->kept;

	if (c->kept > 4 && memcmp(c->line, "USE `", 5) == 0) {
		free(c->at.database);
		c->at.database = backticked(c->line + 4, end);
	} else if (c->kept > 12 && memcmp(c->line, "LOCK TABLES `", 13) == 0) {
		free(c->at.table);
		c->at.table = backticked(c->line + 12, end);
		c->at.rows = 0;
	} else if (c->kept == 14 && memcmp(c->line, "UNLOCK TABLES;", 14) == 0) {
		if (c->at.table != NULL && c->at.database != NULL && !is_system(c->at.database) &&
		    rowcounts_add(found, file, c->at.database, c->at.table, c->at.rows) < 0)
			return -1;
		free(c->at.table);
		c->at.table = NULL;
	}
	return 0;
}

/* One byte of an INSERT statement: a row begins at each outermost '('. */
static void insert_byte(struct counter *c, char b)
{
	switch (c->quote) {
	case NONE:
		if (b == '\'')
			c->quote = SINGLE;
		else if (b == '"')
			c->quote = DOUBLE;
		else if (b == '`')
			c->quote = BACKTICK;
		else if (b == '(' && c->depth++ == 0)
			c->at.rows++;
		else if (b == ')')
			c->depth--;
		else if (b == ';' && c->depth == 0) {
			c->in_insert = 0;
			c->skip_line = 1;
		}
		break;
	case SINGLE:
	case DOUBLE:
		/* A doubled quote leaves and re-enters: no special case needed. */
		if (b == '\\')
			c->quote = c->quote == SINGLE ? SINGLE_ESCAPE : DOUBLE_ESCAPE;
		else if (b == (c->quote == SINGLE ? '\'' : '"'))
			c->quote = NONE;
		break;
	case SINGLE_ESCAPE:
		c->quote = SINGLE;
		break;
	case DOUBLE_ESCAPE:
		c->quote = DOUBLE;
		break;
	case BACKTICK:
		if (b == '`')
			c->quote = NONE;
		break;
	}
}

static int counter_scan(void *state, const char *buf, size_t len, const char *file,
			struct rowcounts *found)
{
	struct counter *c = state;

	for (size_t i = 0; i < len; i++) {
		char b = buf[i];

		if (c->in_insert) {
			insert_byte(c, b);
		} else if (b == '\n') {
			if (!c->skip_line && end_line(c, file, found) < 0)
				return -1;
			c->kept = 0;
			c->skip_line = 0;
		} else if (!c->skip_line && c->kept < KEEP) {
			c->line[c->kept++] = b;
			if (c->kept == strlen(INSERT_START) &&
			    memcmp(c->line, INSERT_START, strlen(INSERT_START)) == 0) {
				c->in_insert = 1;
				c->quote = BACKTICK; /* inside the table's name */
				c->depth = 0;
			}
		}
	}
	return 0;
}

static int counter_complete(void *state)
{
	const struct counter *c = state;

	return !c->in_insert && c->at.table == NULL;
}

static const struct rowcount_scanner scanner = {
    .scan = counter_scan,
    .complete = counter_complete,
};

struct sink *my_rowcount_sink(struct sink *inner, struct rowcounts *counts, const char *file)
{
	return rowcount_sink(inner, counts, file, &scanner, calloc(1, sizeof(struct counter)));
}

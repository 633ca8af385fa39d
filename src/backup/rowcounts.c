#include "backup/rowcounts.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/digest.h"
#include "util/log.h"

#define HEADER "# tierdump row counts at dump time: file, database, table, rows (tab-separated)\n"

int rowcounts_add(struct rowcounts *rc, const char *file, const char *database, const char *table,
		  uint64_t rows)
{
	struct rowcount *r, *grown = array_grow(rc->items, &rc->cap, rc->n, sizeof(*r));

	if (grown == NULL)
		return -1;
	rc->items = grown;
	r = &rc->items[rc->n];
	r->file = strdup(file);
	r->database = strdup(database);
	r->table = strdup(table);
	r->rows = rows;
	if (r->file == NULL || r->database == NULL || r->table == NULL) {
		free(r->file);
		free(r->database);
		free(r->table);
		return -1;
	}
	rc->n++;
	return 0;
}

int rowcounts_move(struct rowcounts *to, struct rowcounts *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct rowcount *r = &from->items[i];

		if (rowcounts_add(to, r->file, r->database, r->table, r->rows) < 0)
			return -1;
	}
	rowcounts_free(from);
	return 0;
}

/* Names may hold any byte but NUL: tabs, newlines and % are %-encoded. */
static void put_field(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\t' || *s == '\n' || *s == '\r' || *s == '%')
			fprintf(out, "%%%02X", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('\t', out);
}

char *rowcounts_render(const struct rowcounts *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		return NULL;
	fputs(HEADER, out);
	for (size_t i = 0; i < rc->n; i++) {
		put_field(out, rc->items[i].file);
		put_field(out, rc->items[i].database);
		put_field(out, rc->items[i].table);
		fprintf(out, "%" PRIu64 "\n", rc->items[i].rows);
	}
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Decodes %XX in place; -1 on a malformed escape. */
static int unescape(char *s)
{
	char *dst = s;

	while (*s != '\0') {
		if (*s == '%') {
			char hex[3] = {s[1], s[2], '\0'};

			if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]))
				return -1;
			*dst++ = (char)strtol(hex, NULL, 16);
			s += 3;
		} else {
			*dst++ = *s++;
		}
	}
	*dst = '\0';
	return 0;
}

static int parse_line(char *line, struct rowcounts *rc)
{
	char *fields[4], *save = NULL, *end;
	uint64_t rows;
	int n = 0;

	for (char *f = strtok_r(line, "\t", &save); f != NULL && n < 4;
	     f = strtok_r(NULL, "\t", &save))
		fields[n++] = f;
	if (n != 4 || strtok_r(NULL, "\t", &save) != NULL || !isdigit((unsigned char)*fields[3]))
		return -1;
	rows = strtoull(fields[3], &end, 10);
	if (*end != '\0' || unescape(fields[0]) < 0 || unescape(fields[1]) < 0 ||
	    unescape(fields[2]) < 0)
		return -1;
	return rowcounts_add(rc, fields[0], fields[1], fields[2], rows);
}

int rowcounts_parse(const char *text, struct rowcounts *rc, char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *save = NULL;
	int number = 0, status = 0;

	memset(rc, 0, sizeof(*rc));
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		number++;
		if (*line == '#')
			continue;
		if (parse_line(line, rc) < 0) {
			snprintf(err, errlen, "line %d is not file, database, table and rows",
				 number);
			status = -1;
			break;
		}
	}
	free(copy);
	if (status < 0)
		rowcounts_free(rc);
	return status;
}

void rowcounts_sha256(const char *text, char hex[DIGEST_HEX_LEN + 1])
{
	digest_of(text, strlen(text), hex);
}

void rowcounts_free(struct rowcounts *rc)
{
	for (size_t i = 0; i < rc->n; i++) {
		free(rc->items[i].file);
		free(rc->items[i].database);
		free(rc->items[i].table);
	}
	free(rc->items);
	memset(rc, 0, sizeof(*rc));
}

/* ------------------------------------------------------------ counting sink */

struct counting_sink {
	struct sink base;
	struct sink *inner;
	struct rowcounts *out;
	struct rowcounts found; /* this dump's, handed to out at commit */
	char *file;
	const struct rowcount_scanner *ops;
	void *state;
};

static void state_free(void *state)
{
	struct rowcount_place *at = state;

	if (at != NULL) {
		free(at->database);
		free(at->table);
	}
	free(state);
}

static void counting_free(struct counting_sink *c)
{
	rowcounts_free(&c->found);
	state_free(c->state);
	free(c->file);
	free(c);
}

static int counting_write(struct sink *s, const void *buf, size_t len)
{
	struct counting_sink *c = (struct counting_sink *)s;

	if (c->ops->scan(c->state, buf, len, c->file, &c->found) < 0) {
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	return sink_write(c->inner, buf, len);
}

static int counting_commit(struct sink *s)
{
	struct counting_sink *c = (struct counting_sink *)s;
	struct sink *inner = c->inner;
	int rc = 0;

	if (!c->ops->complete(c->state))
		log_warn("%s ends inside the data of a table: no row counts recorded for it",
			 c->file);
	else if (rowcounts_move(c->out, &c->found) < 0)
		rc = -1;
	counting_free(c);
	if (rc < 0) {
		sink_abort(inner);
		fail(EXIT_INTERNAL, "out of memory");
		return -1;
	}
	return sink_commit(inner);
}

static void counting_abort(struct sink *s)
{
	struct counting_sink *c = (struct counting_sink *)s;

	sink_abort(c->inner);
	counting_free(c);
}

struct sink *rowcount_sink(struct sink *inner, struct rowcounts *counts, const char *file,
			   const struct rowcount_scanner *ops, void *state)
{
	struct counting_sink *c = state ? calloc(1, sizeof(*c)) : NULL;

	if (c == NULL || (c->file = strdup(file)) == NULL) {
		free(c);
		state_free(state);
		sink_abort(inner);
		fail(EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	c->base.write = counting_write;
	c->base.commit = counting_commit;
	c->base.abort = counting_abort;
	c->inner = inner;
	c->out = counts;
	c->ops = ops;
	c->state = state;
	return &c->base;
}

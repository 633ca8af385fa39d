#include "pg_filter.h"

#include <stdlib.h>
#include <string.h>

#include "../util/log.h"
#include "../util/strlist.h"

struct buffer {
	char *data;
	size_t len, cap;
};

struct pg_filter {
	struct source base;
	struct source *inner;
	char **roles;
	size_t nroles;
	char *current_user;
	struct buffer line;     /* the head line being assembled */
	struct buffer pending;  /* bytes ready for the reader */
	size_t pending_off;
	struct buffer deferred; /* the current user's ALTER ROLE, emitted last */
	int passthrough;        /* past the head */
	int inner_done;
	int deferred_sent;
};

/* Makes room for extra more bytes. */
static int buffer_reserve(struct buffer *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *grown;

	if (b->len + extra <= b->cap)
		return 0;
	while (cap < b->len + extra)
		cap *= 2;
	grown = realloc(b->data, cap);
	if (grown == NULL) {
		fail(EXIT_INTERNAL, "out of memory while reading the dump");
		return -1;
	}
	b->data = grown;
	b->cap = cap;
	return 0;
}

static int buffer_add(struct buffer *b, const char *data, size_t len)
{
	if (buffer_reserve(b, len) < 0)
		return -1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int pg_ident_is(const char *ident, size_t len, const char *role)
{
	size_t i = 1;

	if (len == 0)
		return 0;
	if (ident[0] != '"')
		return strlen(role) == len && memcmp(ident, role, len) == 0;
	if (len < 2 || ident[len - 1] != '"')
		return 0;
	for (; i < len - 1; i++, role++) {
		if (*role == '\0' || ident[i] != *role)
			return 0;
		if (ident[i] == '"' && (i + 1 >= len - 1 || ident[++i] != '"'))
			return 0; /* a lone quote inside: not one identifier */
	}
	return *role == '\0';
}

/* The end of the identifier at p (bare, or quoted with quotes doubled), or NULL. */
static const char *ident_end(const char *p, const char *end)
{
	if (p < end && *p != '"') {
		while (p < end && *p != ' ' && *p != ';')
			p++;
		return p;
	}
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

/*
 * Matches "<prefix><identifier><suffix>" at the start of line; when suffix_ends
 * the suffix must end the line too. Returns the identifier and its length.
 */
static const char *match_ident(const char *line, size_t len, const char *prefix,
			       const char *suffix, int suffix_ends, size_t *ident_len)
{
	size_t plen = strlen(prefix), slen = strlen(suffix);
	const char *ident = line + plen, *end;

	if (len < plen + slen + 1 || memcmp(line, prefix, plen) != 0)
		return NULL;
	end = ident_end(ident, line + len);
	if (end == NULL || (size_t)(line + len - end) < slen || memcmp(end, suffix, slen) != 0 ||
	    (suffix_ends && end + slen != line + len))
		return NULL;
	*ident_len = (size_t)(end - ident);
	return ident;
}

static int role_exists(struct pg_filter *f, const char *ident, size_t len)
{
	for (size_t i = 0; i < f->nroles; i++)
		if (pg_ident_is(ident, len, f->roles[i]))
			return 1;
	return 0;
}

/* Decides what becomes of one line of the head (line includes its '\n'). */
static int filter_line(struct pg_filter *f, const char *line, size_t len)
{
	size_t body = len > 0 && line[len - 1] == '\n' ? len - 1 : len, ident_len;
	const char *ident;

	if (len >= 9 && memcmp(line, "\\connect ", 9) == 0)
		f->passthrough = 1;
	ident = match_ident(line, body, "CREATE ROLE ", ";", 1, &ident_len);
	if (ident != NULL && role_exists(f, ident, ident_len)) {
		log_info("role %.*s exists on the target: keeping it, setting its attributes from the backup",
			 (int)ident_len, ident);
		return 0;
	}
	ident = match_ident(line, body, "ALTER ROLE ", " WITH ", 0, &ident_len);
	if (ident != NULL && pg_ident_is(ident, ident_len, f->current_user))
		return buffer_add(&f->deferred, line, len);
	return buffer_add(&f->pending, line, len);
}

/* Splits what the head buffer holds into lines; keeps an unfinished one. */
static int filter_head(struct pg_filter *f)
{
	size_t start = 0;

	while (!f->passthrough && start < f->line.len) {
		char *nl = memchr(f->line.data + start, '\n', f->line.len - start);
		size_t len;

		if (nl == NULL)
			break;
		len = (size_t)(nl - (f->line.data + start)) + 1;
		if (filter_line(f, f->line.data + start, len) < 0)
			return -1;
		start += len;
	}
	if (f->passthrough || f->inner_done) {
		/* Past the head, or at the end: the rest goes out as it is. */
		if (buffer_add(&f->pending, f->line.data + start, f->line.len - start) < 0)
			return -1;
		start = f->line.len;
		f->passthrough = 1;
	}
	memmove(f->line.data, f->line.data + start, f->line.len - start);
	f->line.len -= start;
	return 0;
}

static ssize_t take_pending(struct pg_filter *f, void *buf, size_t len)
{
	size_t n = f->pending.len - f->pending_off;

	if (n > len)
		n = len;
	memcpy(buf, f->pending.data + f->pending_off, n);
	f->pending_off += n;
	if (f->pending_off == f->pending.len)
		f->pending.len = f->pending_off = 0;
	return (ssize_t)n;
}

static ssize_t filter_read(struct source *s, void *buf, size_t len)
{
	struct pg_filter *f = (struct pg_filter *)s;

	for (;;) {
		ssize_t n;

		if (f->pending.len > f->pending_off)
			return take_pending(f, buf, len);
		if (f->inner_done) {
			if (f->deferred_sent || f->deferred.len == 0)
				return 0;
			f->deferred_sent = 1;
			log_info("restoring the connecting user's own attributes last");
			if (buffer_add(&f->pending, f->deferred.data, f->deferred.len) < 0)
				return -1;
			continue;
		}
		if (f->passthrough) {
			n = source_read(f->inner, buf, len);
			if (n != 0)
				return n;
			f->inner_done = 1;
			continue;
		}
		if (buffer_reserve(&f->line, 65536) < 0)
			return -1;
		n = source_read(f->inner, f->line.data + f->line.len, f->line.cap - f->line.len);
		if (n < 0)
			return -1;
		if (n == 0)
			f->inner_done = 1;
		f->line.len += (size_t)n;
		if (filter_head(f) < 0)
			return -1;
	}
}

static void filter_close(struct source *s)
{
	struct pg_filter *f = (struct pg_filter *)s;

	source_close(f->inner);
	strlist_free(f->roles, f->nroles);
	free(f->current_user);
	free(f->line.data);
	free(f->pending.data);
	free(f->deferred.data);
	free(f);
}

struct source *pg_filter_source(struct source *inner, char *const *roles, size_t nroles,
				const char *current_user)
{
	struct pg_filter *f = calloc(1, sizeof(*f));

	if (f == NULL)
		goto fail;
	f->base.read = filter_read;
	f->base.close = filter_close;
	f->inner = inner;
	f->current_user = strdup(current_user);
	if (f->current_user == NULL)
		goto fail;
	for (size_t i = 0; i < nroles; i++)
		if (strlist_add(&f->roles, &f->nroles, roles[i]) < 0)
			goto fail;
	return &f->base;
fail:
	fail(EXIT_INTERNAL, "out of memory");
	if (f != NULL) {
		f->inner = inner;
		filter_close(&f->base);
	} else {
		source_close(inner);
	}
	return NULL;
}

#include "pg_filter.h"

#include <stdlib.h>
#include <string.h>

#include "../util/linefilter.h"
#include "../util/log.h"
#include "../util/strlist.h"

struct pg_filter {
	char **roles;
	size_t nroles;
	char *current_user;
	char *deferred; /* the current user's ALTER ROLE, emitted last */
	size_t deferred_len;
};

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

/* Decides what becomes of one line of the script's head. */
static int filter_line(void *state, const char *line, size_t len, struct line_out *out,
		       int *rest_as_is)
{
	struct pg_filter *f = state;
	size_t body = len > 0 && line[len - 1] == '\n' ? len - 1 : len, ident_len;
	const char *ident;

	if (len >= 9 && memcmp(line, "\\connect ", 9) == 0)
		*rest_as_is = 1; /* the head ends: roles come before the first database */
	ident = match_ident(line, body, "CREATE ROLE ", ";", 1, &ident_len);
	if (ident != NULL && role_exists(f, ident, ident_len)) {
		log_info("role %.*s exists on the target: keeping it, setting its attributes from the backup",
			 (int)ident_len, ident);
		return 0;
	}
	ident = match_ident(line, body, "ALTER ROLE ", " WITH ", 0, &ident_len);
	if (ident != NULL && pg_ident_is(ident, ident_len, f->current_user) && f->deferred == NULL) {
		f->deferred = malloc(len);
		if (f->deferred == NULL)
			return -1;
		memcpy(f->deferred, line, len);
		f->deferred_len = len;
		return 0;
	}
	return line_emit(out, line, len);
}

static int filter_end(void *state, struct line_out *out)
{
	struct pg_filter *f = state;

	if (f->deferred == NULL)
		return 0;
	log_info("restoring the connecting user's own attributes last");
	return line_emit(out, f->deferred, f->deferred_len);
}

static void filter_free(void *state)
{
	struct pg_filter *f = state;

	if (f == NULL)
		return;
	strlist_free(f->roles, f->nroles);
	free(f->current_user);
	free(f->deferred);
	free(f);
}

static const struct line_filter_ops pg_filter_ops = {
	.line = filter_line,
	.end = filter_end,
	.free = filter_free,
};

struct source *pg_filter_source(struct source *inner, char *const *roles, size_t nroles,
				const char *current_user)
{
	struct pg_filter *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->current_user = strdup(current_user)) == NULL)
		goto fail;
	for (size_t i = 0; i < nroles; i++)
		if (strlist_add(&f->roles, &f->nroles, roles[i]) < 0)
			goto fail;
	return line_filter_source(inner, &pg_filter_ops, f);
fail:
	fail(EXIT_INTERNAL, "out of memory");
	filter_free(f);
	source_close(inner);
	return NULL;
}

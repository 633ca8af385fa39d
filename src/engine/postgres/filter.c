#include "engine/postgres/filter.h"
#include "engine/postgres/rowcount.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/linefilter.h"
#include "util/log.h"
#include "util/strlist.h"

struct pg_filter {
	char **roles;
	size_t nroles;
	char *current_user;
	char *deferred; /* the current user's ALTER ROLE, emitted last */
	size_t deferred_len;
	char **settings; /* the parameters the target knows; none: keep every SET */
	size_t nsettings;
	char **skipped; /* the parameters left out, each once, for the log */
	size_t nskipped;
	unsigned long nskipped_lines;
	int target_major;
	int past_head; /* after the first \connect: no more roles */
	int in_copy;   /* inside COPY ... FROM stdin data, up to its "\." */
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
const char *pg_ident_end(const char *p, const char *end)
{
	if (p < end && *p != '"') {
		while (p < end && *p != ' ' && *p != ';')
			p++;
		return p;
	}
	return pg_quoted_end(p, end);
}

/*
 * Matches "<prefix><identifier><suffix>" at the start of line; when suffix_ends
 * the suffix must end the line too. Returns the identifier and its length.
 */
const char *pg_match_ident(const char *line, size_t len, const char *prefix, const char *suffix,
			   int suffix_ends, size_t *ident_len)
{
	size_t plen = strlen(prefix), slen = strlen(suffix);
	const char *ident = line + plen, *end;

	if (len < plen + slen + 1 || memcmp(line, prefix, plen) != 0)
		return NULL;
	end = pg_ident_end(ident, line + len);
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

/* What may follow SET without being a parameter's name. */
static const char *const set_keywords[] = {"session",	  "local",  "role",  "time", "transaction",
					   "constraints", "schema", "names", "xml",  NULL};

/*
 * The parameter a statement line sets, into name (len bytes): "SET name =
 * ...;" or "SELECT pg_catalog.set_config('name', ...);", as pg_dump writes
 * them. Returns 1, or 0 when the line is not one of those.
 */
static int set_parameter(const char *line, size_t len, char *name, size_t size)
{
	static const char set[] = "SET ", config[] = "SELECT pg_catalog.set_config('";
	const char *p, *end = line + len;
	size_t n;

	if (len > sizeof(set) && memcmp(line, set, sizeof(set) - 1) == 0)
		p = line + sizeof(set) - 1;
	else if (len > sizeof(config) && memcmp(line, config, sizeof(config) - 1) == 0)
		p = line + sizeof(config) - 1;
	else
		return 0;
	/* A statement of its own: it ends the line. */
	while (end > p && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (end == p || end[-1] != ';')
		return 0;
	for (n = 0; p + n < end && (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.');)
		n++;
	if (n == 0 || n >= size || p + n >= end || (p[n] != ' ' && p[n] != '\''))
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	/* SET ROLE, SET SESSION AUTHORIZATION and friends are statements, not parameters. */
	for (size_t i = 0; set_keywords[i] != NULL; i++)
		if (strcasecmp(name, set_keywords[i]) == 0)
			return 0;
	return 1;
}

/* Whether the target lacks the parameter: custom ones (a dot) every server accepts. */
static int unknown_parameter(const struct pg_filter *f, const char *name)
{
	if (f->nsettings == 0 || strchr(name, '.') != NULL)
		return 0;
	for (size_t i = 0; i < f->nsettings; i++)
		if (strcasecmp(f->settings[i], name) == 0)
			return 0;
	return 1;
}

int pg_copy_data(int *in_copy, const char *line, size_t len)
{
	static const char from[] = " FROM stdin;\n";

	if (*in_copy) {
		*in_copy = !(len >= 2 && line[0] == '\\' && line[1] == '.' &&
			     (len == 2 || line[2] == '\n'));
		return 1;
	}
	if (len > 5 + sizeof(from) && memcmp(line, "COPY ", 5) == 0 &&
	    memcmp(line + len - (sizeof(from) - 1), from, sizeof(from) - 1) == 0)
		*in_copy = 1;
	return 0;
}

/* The first line of each database's dump that names the pg_dump which wrote it. */
static const char dumped_by[] = "-- Dumped by pg_dump version ";

/* Decides what becomes of one line of the script. */
static int filter_line(void *state, const char *line, size_t len, struct line_out *out,
		       int *rest_as_is)
{
	struct pg_filter *f = state;
	size_t body = len > 0 && line[len - 1] == '\n' ? len - 1 : len, ident_len;
	const char *ident;
	char name[128];

	if (pg_copy_data(&f->in_copy, line, len))
		return line_emit(out, line, len);
	if (len > sizeof(dumped_by) && memcmp(line, dumped_by, sizeof(dumped_by) - 1) == 0 &&
	    atoi(line + sizeof(dumped_by) - 1) <= f->target_major)
		*rest_as_is = 1; /* it wrote only what the target knows; roles came before */
	if (f->nsettings > 0 && (line[0] == 'S') && set_parameter(line, len, name, sizeof(name)) &&
	    unknown_parameter(f, name)) {
		f->nskipped_lines++;
		return strlist_has(f->skipped, f->nskipped, name)
			   ? 0
			   : strlist_add(&f->skipped, &f->nskipped, name);
	}
	if (len >= 9 && memcmp(line, "\\connect ", 9) == 0) {
		f->past_head = 1; /* the head ends: roles come before the first database */
		*rest_as_is = f->nsettings == 0;
	}
	if (f->past_head)
		return line_emit(out, line, len);
	ident = pg_match_ident(line, body, "CREATE ROLE ", ";", 1, &ident_len);
	if (ident != NULL && role_exists(f, ident, ident_len)) {
		log_info("role %.*s exists on the target: keeping it, setting its attributes from "
			 "the backup",
			 (int)ident_len, ident);
		return 0;
	}
	ident = pg_match_ident(line, body, "ALTER ROLE ", " WITH ", 0, &ident_len);
	if (ident != NULL && pg_ident_is(ident, ident_len, f->current_user) &&
	    f->deferred == NULL) {
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

	if (f->nskipped > 0) {
		char names[512] = "";

		for (size_t i = 0; i < f->nskipped; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", f->skipped[i]);
		log_warn("left out %lu statement(s) setting parameters the target server does not "
			 "know (a newer pg_dump wrote them): %s",
			 f->nskipped_lines, names);
	}
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
	strlist_free(f->settings, f->nsettings);
	strlist_free(f->skipped, f->nskipped);
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
				const char *current_user, char *const *settings, size_t nsettings,
				int target_major)
{
	struct pg_filter *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->current_user = strdup(current_user)) == NULL)
		goto fail;
	f->target_major = target_major;
	for (size_t i = 0; i < nroles; i++)
		if (strlist_add(&f->roles, &f->nroles, roles[i]) < 0)
			goto fail;
	for (size_t i = 0; i < nsettings; i++)
		if (strlist_add(&f->settings, &f->nsettings, settings[i]) < 0)
			goto fail;
	return line_filter_source(inner, &pg_filter_ops, f);
fail:
	fail(EXIT_INTERNAL, "out of memory");
	filter_free(f);
	source_close(inner);
	return NULL;
}

/* ------------------------------------------------------- roles a dump needs */

struct role_scan {
	char ***roles;
	size_t *n;
};

/* Adds the identifier that ends a statement line ("... TO app;") as a role name. */
static int add_trailing_role(struct role_scan *rs, const char *line, size_t len, const char *marker)
{
	const char *at = NULL, *p = line, *end;
	char name[256];
	size_t out = 0;

	for (const char *hit; (hit = memmem(p, (size_t)(line + len - p), marker, strlen(marker)));
	     p = hit + 1)
		at = hit;
	if (at == NULL)
		return 0;
	at += strlen(marker);
	end = memchr(at, ';', (size_t)(line + len - at));
	if (end == NULL || end == at)
		return 0;
	if (*at == '"') { /* quoted: undo the doubled quotes */
		for (at++; at < end - 1 && out < sizeof(name) - 1; at++) {
			if (*at == '"' && at[1] == '"')
				at++;
			name[out++] = *at;
		}
	} else {
		for (; at < end && out < sizeof(name) - 1 && *at != ' '; at++)
			name[out++] = *at;
	}
	name[out] = '\0';
	if (out == 0 || strcmp(name, "PUBLIC") == 0 || strcmp(name, "public") == 0 ||
	    strlist_has(*rs->roles, *rs->n, name))
		return 0;
	return strlist_add(rs->roles, rs->n, name);
}

static int scan_role_line(void *state, const char *line, size_t len, struct line_out *out,
			  int *rest_as_is)
{
	struct role_scan *rs = state;

	(void)out;
	(void)rest_as_is;
	if (len > 6 && memcmp(line, "ALTER ", 6) == 0)
		return add_trailing_role(rs, line, len, " OWNER TO ");
	if (len > 6 && memcmp(line, "GRANT ", 6) == 0)
		return add_trailing_role(rs, line, len, " TO ");
	return 0;
}

static void scan_free(void *state)
{
	free(state);
}

static const struct line_filter_ops role_scan_ops = {
    .line = scan_role_line,
    .end = NULL,
    .free = scan_free,
};

int pg_collect_roles(struct source *inner, char ***roles, size_t *n)
{
	struct role_scan *rs = calloc(1, sizeof(*rs));
	struct source *scan;
	char buf[65536];
	ssize_t got;

	if (rs == NULL) {
		source_close(inner);
		return -1;
	}
	rs->roles = roles;
	rs->n = n;
	scan = line_filter_source(inner, &role_scan_ops, rs);
	if (scan == NULL)
		return -1;
	while ((got = source_read(scan, buf, sizeof(buf))) > 0)
		;
	source_close(scan);
	return got < 0 ? -1 : 0;
}

#include "engine/postgres/select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/postgres/filter.h"
#include "util/linefilter.h"
#include "util/log.h"
#include "util/strlist.h"

struct pg_select {
	const char *only, *rename;
	char **roles; /* the target's */
	size_t nroles;
	char **created; /* the roles the script creates, as it writes them */
	size_t ncreated;
	char **held; /* the databases the script holds, for the error */
	size_t nheld;
	int section;	/* 0 the head, 1 the database asked for, -1 another */
	int in_copy;	/* inside COPY data */
	int created_db; /* the section has had its CREATE DATABASE */
	int found;
};

static const char marker[] = "-- Database \"", marker_end[] = "\" dump";

/* ident (len bytes, as the script writes it) unquoted into name (size bytes). */
static void unquote(const char *ident, size_t len, char *name, size_t size)
{
	size_t out = 0;

	if (len >= 2 && ident[0] == '"') {
		ident++;
		len -= 2;
	}
	for (size_t i = 0; i < len && out < size - 1; i++) {
		if (ident[i] == '"' && i + 1 < len && ident[i + 1] == '"')
			i++;
		name[out++] = ident[i];
	}
	name[out] = '\0';
}

static int start_section(struct pg_select *s, const char *name)
{
	s->section = strcmp(name, s->only) == 0 ? 1 : -1;
	s->created_db = 0;
	s->found |= s->section > 0;
	if (strcmp(name, "template1") == 0 || strlist_has(s->held, s->nheld, name))
		return 0;
	return strlist_add(&s->held, &s->nheld, name);
}

/* name as an SQL identifier, always quoted, into buf. */
static void quote_ident(const char *name, char *buf, size_t size)
{
	size_t out = 0;

	buf[out++] = '"';
	for (; *name != '\0' && out < size - 3; name++) {
		if (*name == '"')
			buf[out++] = '"';
		buf[out++] = *name;
	}
	buf[out++] = '"';
	buf[out] = '\0';
}

/* psql's \connect to the new database: bare when plain, else a quoted connection string. */
static int emit_connect(struct pg_select *s, struct line_out *out)
{
	const char *name = s->rename;
	char buf[2200];
	size_t n;

	if (strspn(name, "abcdefghijklmnopqrstuvwxyz_0123456789") == strlen(name) &&
	    !(name[0] >= '0' && name[0] <= '9')) {
		snprintf(buf, sizeof(buf), "\\connect %s\n", name);
		return line_emit(out, buf, strlen(buf));
	}
	n = (size_t)snprintf(buf, sizeof(buf), "\\connect -reuse-previous=on \"dbname='");
	for (; *name != '\0' && n < sizeof(buf) - 8; name++) {
		if (*name == '\'' || *name == '\\')
			buf[n++] = '\\';
		if (*name == '"')
			buf[n++] = '"';
		buf[n++] = *name;
	}
	memcpy(buf + n, "'\"\n", 4);
	return line_emit(out, buf, strlen(buf));
}

/* A line of the kept section: its own database's name replaced by the new one. */
static int emit_renamed(struct pg_select *s, const char *line, size_t len, struct line_out *out)
{
	static const char word[] = "DATABASE ";
	char quoted[2100];

	for (const char *p = line; (p = memmem(p, (size_t)(line + len - p), word, 9)) != NULL;
	     p++) {
		const char *ident = p + 9, *end = pg_ident_end(ident, line + len);

		if (end == NULL || !pg_ident_is(ident, (size_t)(end - ident), s->only))
			continue;
		quote_ident(s->rename, quoted, sizeof(quoted));
		if (line_emit(out, line, (size_t)(ident - line)) < 0 ||
		    line_emit(out, quoted, strlen(quoted)) < 0)
			return -1;
		return line_emit(out, end, (size_t)(line + len - end));
	}
	return line_emit(out, line, len);
}

/* The head of pg_dumpall's script: only the roles the target lacks. */
static int head_line(struct pg_select *s, const char *line, size_t len, size_t body,
		     struct line_out *out)
{
	const char *ident;
	char raw[1024];
	size_t n;

	if ((ident = pg_match_ident(line, body, "CREATE ROLE ", ";", 1, &n)) != NULL) {
		for (size_t i = 0; i < s->nroles; i++)
			if (pg_ident_is(ident, n, s->roles[i]))
				return 0;
		snprintf(raw, sizeof(raw), "%.*s", (int)n, ident);
		log_info("creating role %s, which the target lacks", raw);
		if (strlist_add(&s->created, &s->ncreated, raw) < 0)
			return -1;
		return line_emit(out, line, len);
	}
	if ((ident = pg_match_ident(line, body, "ALTER ROLE ", " ", 0, &n)) != NULL) {
		snprintf(raw, sizeof(raw), "%.*s", (int)n, ident);
		return strlist_has(s->created, s->ncreated, raw) ? line_emit(out, line, len) : 0;
	}
	/* Comments and session settings; the rest of the head is the cluster's, not ours. */
	if (body == 0 || strncmp(line, "--", 2) == 0 || strncmp(line, "SET ", 4) == 0 ||
	    strncmp(line, "SELECT pg_catalog.set_config(", 29) == 0)
		return line_emit(out, line, len);
	return 0;
}

static int select_line(void *state, const char *line, size_t len, struct line_out *out,
		       int *rest_as_is)
{
	struct pg_select *s = state;
	size_t body = len > 0 && line[len - 1] == '\n' ? len - 1 : len, n;
	const char *ident;
	char name[1024];

	(void)rest_as_is;
	if (pg_copy_data(&s->in_copy, line, len))
		return s->section > 0 ? line_emit(out, line, len) : 0;
	/* pg_dump's \restrict and \unrestrict pair up around each script: all of them pass. */
	if (strncmp(line, "\\restrict ", 10) == 0 || strncmp(line, "\\unrestrict ", 12) == 0)
		return line_emit(out, line, len);
	if (body > sizeof(marker) + sizeof(marker_end) - 2 &&
	    memcmp(line, marker, sizeof(marker) - 1) == 0 &&
	    memcmp(line + body - (sizeof(marker_end) - 1), marker_end, sizeof(marker_end) - 1) ==
		0) {
		snprintf(name, sizeof(name), "%.*s",
			 (int)(body - (sizeof(marker) - 1) - (sizeof(marker_end) - 1)),
			 line + sizeof(marker) - 1);
		return start_section(s, name);
	}
	ident = pg_match_ident(line, body, "CREATE DATABASE ", " ", 0, &n);
	if (ident == NULL)
		ident = pg_match_ident(line, body, "CREATE DATABASE ", ";", 0, &n);
	if (ident != NULL) {
		unquote(ident, n, name, sizeof(name));
		/* pg_dumpall's marker said so already; pg_dump --create scripts start here. */
		if (!(s->section > 0 && strcmp(name, s->only) == 0) && start_section(s, name) < 0)
			return -1;
		s->created_db = s->section > 0;
	}
	if (s->section == 0)
		return head_line(s, line, len, body, out);
	if (s->section < 0)
		return 0;
	if (s->rename == NULL)
		return line_emit(out, line, len);
	if (strncmp(line, "\\connect ", 9) == 0) {
		char create[2200];

		if (!s->created_db) {
			quote_ident(s->rename, name, sizeof(name));
			snprintf(create, sizeof(create), "CREATE DATABASE %s;\n", name);
			if (line_emit(out, create, strlen(create)) < 0)
				return -1;
			s->created_db = 1;
		}
		return emit_connect(s, out);
	}
	if (ident != NULL || strncmp(line, "ALTER DATABASE ", 15) == 0 ||
	    strncmp(line, "COMMENT ON DATABASE ", 20) == 0 ||
	    strncmp(line, "SECURITY LABEL ", 15) == 0 || strncmp(line, "GRANT ", 6) == 0 ||
	    strncmp(line, "REVOKE ", 7) == 0)
		return emit_renamed(s, line, len, out);
	return line_emit(out, line, len);
}

static int select_end(void *state, struct line_out *out)
{
	struct pg_select *s = state;

	(void)out;
	if (s->found)
		return 0;
	return engine_no_such_database("PostgreSQL", s->only, s->held, s->nheld);
}

static void select_free(void *state)
{
	struct pg_select *s = state;

	if (s == NULL)
		return;
	strlist_free(s->roles, s->nroles);
	strlist_free(s->created, s->ncreated);
	strlist_free(s->held, s->nheld);
	free(s);
}

static const struct line_filter_ops select_ops = {
    .line = select_line,
    .end = select_end,
    .free = select_free,
};

struct source *pg_select_source(struct source *inner, char *const *roles, size_t nroles,
				const char *only, const char *rename)
{
	struct pg_select *s = calloc(1, sizeof(*s));

	if (s == NULL)
		goto fail;
	s->only = only;
	s->rename = rename != NULL && strcmp(rename, only) != 0 ? rename : NULL;
	for (size_t i = 0; i < nroles; i++)
		if (strlist_add(&s->roles, &s->nroles, roles[i]) < 0)
			goto fail;
	return line_filter_source(inner, &select_ops, s);
fail:
	fail(EXIT_INTERNAL, "out of memory");
	select_free(s);
	source_close(inner);
	return NULL;
}

#include "engine/mariadb/filter.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/linefilter.h"
#include "util/log.h"
#include "util/strlist.h"

struct my_filter {
	int mysql_schema;
	const char *only;
	char old_quoted[MY_QUOTED_MAX],
	    new_quoted[MY_QUOTED_MAX]; /* `name` as the dump writes it */
	int renaming;
	int dropping; /* inside a section left out */
	int found;    /* the section asked for was seen */
	char **held;  /* every section's database, for the error */
	size_t nheld;
};

static const char marker[] = "-- Current Database: `";

int my_quote_name(const char *name, char *buf, size_t len)
{
	size_t used = 0;

	buf[used++] = '`';
	for (; *name != '\0'; name++) {
		if (used + 4 >= len)
			return -1;
		if (*name == '`')
			buf[used++] = '`';
		buf[used++] = *name;
	}
	buf[used++] = '`';
	buf[used] = '\0';
	return 0;
}

/* The database a section marker names, unquoted, into name (size bytes); 0, or -1 when cut. */
static int marker_name(const char *line, size_t len, char *name, size_t size)
{
	const char *p = line + sizeof(marker) - 1, *end = line + len;
	size_t out = 0;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	if (end > p && end[-1] == '`')
		end--;
	for (; p < end && out < size - 1; p++) {
		if (*p == '`' && p + 1 < end && p[1] == '`')
			p++;
		name[out++] = *p;
	}
	name[out] = '\0';
	return p == end ? 0 : -1;
}

static int start_section(struct my_filter *f, const char *line, size_t len)
{
	char name[1024];

	if (marker_name(line, len, name, sizeof(name)) < 0) {
		fail(EXIT_CORRUPT, "the MariaDB dump names a database longer than %zu bytes",
		     sizeof(name) - 1);
		return -1;
	}
	if (!strlist_has(f->held, f->nheld, name) && strlist_add(&f->held, &f->nheld, name) < 0)
		return -1;
	if (f->only != NULL) {
		f->dropping = strcmp(name, f->only) != 0;
		f->found |= !f->dropping;
		return 0;
	}
	f->dropping = strcmp(name, "mysql") == 0 && !f->mysql_schema;
	if (f->dropping)
		log_info("leaving the mysql system schema as it is (RECOVER_MYSQL_SCHEMA=1 "
			 "restores it)");
	return 0;
}

/* A line of the kept section that names its database: under the new name. */
static int emit_renamed(struct my_filter *f, const char *line, size_t len, struct line_out *out)
{
	const char *at = memmem(line, len, f->old_quoted, strlen(f->old_quoted));
	size_t before;

	if (at == NULL ||
	    !(strncmp(line, "CREATE DATABASE ", 16) == 0 || strncmp(line, "USE ", 4) == 0 ||
	      memmem(line, len, "ALTER DATABASE ", 15) != NULL))
		return line_emit(out, line, len);
	before = (size_t)(at - line);
	if (line_emit(out, line, before) < 0 ||
	    line_emit(out, f->new_quoted, strlen(f->new_quoted)) < 0)
		return -1;
	before += strlen(f->old_quoted);
	return line_emit(out, line + before, len - before);
}

static int filter_line(void *state, const char *line, size_t len, struct line_out *out,
		       int *rest_as_is)
{
	struct my_filter *f = state;

	(void)rest_as_is;
	if (len >= sizeof(marker) - 1 && memcmp(line, marker, sizeof(marker) - 1) == 0 &&
	    start_section(f, line, len) < 0)
		return -1;
	if (f->dropping)
		return 0;
	return f->renaming ? emit_renamed(f, line, len, out) : line_emit(out, line, len);
}

static int filter_end(void *state, struct line_out *out)
{
	struct my_filter *f = state;

	(void)out;
	if (f->only == NULL || f->found)
		return 0;
	return engine_no_such_database("MariaDB", f->only, f->held, f->nheld);
}

static void filter_free(void *state)
{
	struct my_filter *f = state;

	if (f == NULL)
		return;
	strlist_free(f->held, f->nheld);
	free(f);
}

static const struct line_filter_ops my_filter_ops = {
    .line = filter_line,
    .end = filter_end,
    .free = filter_free,
};

struct source *my_filter_source(struct source *inner, int mysql_schema, const char *only,
				const char *rename)
{
	struct my_filter *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		fail(EXIT_INTERNAL, "out of memory");
		goto fail;
	}
	f->mysql_schema = mysql_schema;
	f->only = only;
	f->renaming = only != NULL && rename != NULL;
	if (f->renaming && (my_quote_name(only, f->old_quoted, sizeof(f->old_quoted)) < 0 ||
			    my_quote_name(rename, f->new_quoted, sizeof(f->new_quoted)) < 0)) {
		fail(EXIT_USAGE,
		     "--database and --as take names MariaDB could hold (64 characters)");
		goto fail;
	}
	return line_filter_source(inner, &my_filter_ops, f);
fail:
	filter_free(f);
	source_close(inner);
	return NULL;
}

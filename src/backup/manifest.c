#include "backup/manifest.h"

#include <ctype.h>
#include <ini.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/keys.h"
#include "util/strlist.h"
#include "util/timestamp.h"

#define FILE_SECTION "file:"

int manifest_add_database(struct manifest *m, const char *name)
{
	return strlist_add(&m->databases, &m->ndatabases, name);
}

struct manifest_file *manifest_add_file(struct manifest *m, const char *name)
{
	struct manifest_file *grown = realloc(m->files, (m->nfiles + 1) * sizeof(*grown));
	struct manifest_file *f;

	if (grown == NULL)
		return NULL;
	m->files = grown;
	f = &m->files[m->nfiles];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	if (f->name == NULL)
		return NULL;
	m->nfiles++;
	return f;
}

/*
 * Bytes INI cannot carry in a value or a section name, encoded as %XX: inih
 * strips spaces at either end, takes ';' after a space for a comment, ends a
 * section name at ']'. Escaping no more than that keeps lines within inih's
 * 200-byte limit for any 63-byte database name of printable characters.
 */
static int needs_escape(const char *s, const char *start)
{
	unsigned char c = (unsigned char)*s;

	if (c == ' ')
		return s == start || s[1] == '\0';
	if (c == ';')
		return s == start || s[-1] == ' ' || s[-1] == '\t';
	return c < 0x20 || c == 0x7f || c == '%' || c == ']' || c == '[';
}

static void put_escaped(FILE *out, const char *s)
{
	for (const char *start = s; *s != '\0'; s++) {
		if (needs_escape(s, start))
			fprintf(out, "%%%02X", (unsigned char)*s);
		else
			fputc(*s, out);
	}
}

static void unescape_into(char *dst, const char *src)
{
	while (*src != '\0') {
		if (src[0] == '%' && isxdigit((unsigned char)src[1]) &&
		    isxdigit((unsigned char)src[2])) {
			char hex[3] = {src[1], src[2], '\0'};

			*dst++ = (char)strtol(hex, NULL, 16);
			src += 3;
		} else {
			*dst++ = *src++;
		}
	}
	*dst = '\0';
}

static char *unescape(const char *src)
{
	char *dst = malloc(strlen(src) + 1);

	if (dst != NULL)
		unescape_into(dst, src);
	return dst;
}

static void put_field(FILE *out, const char *key, const char *value)
{
	if (value == NULL)
		return;
	fprintf(out, "%s = ", key);
	put_escaped(out, value);
	fputc('\n', out);
}

static void put_time(FILE *out, const char *key, time_t t)
{
	char stamp[TS_LEN + 1];

	ts_format(t, stamp);
	fprintf(out, "%s = %s\n", key, stamp);
}

/* Whether every line of text fits what inih reads back; names the first that does not. */
static int lines_fit(const char *text, char *err, size_t errlen)
{
	for (const char *line = text; *line != '\0';) {
		size_t len = strcspn(line, "\n");

		if (len > MANIFEST_MAX_LINE) {
			snprintf(err, errlen, "a value is too long for the manifest: %.40s...",
				 line);
			return 0;
		}
		line += len + (line[len] == '\n');
	}
	return 1;
}

char *manifest_render(const struct manifest *m, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL)
		return NULL;
	fprintf(out, "# tierdump backup manifest: written once, never changed\n");
	fprintf(out, "[backup]\nformat = %d\n", m->format ? m->format : 1);
	put_field(out, "tool_version", m->tool_version);
	put_field(out, "engine", m->engine);
	put_field(out, "server_version", m->server_version);
	put_field(out, "client", m->client);
	put_field(out, "tier", m->tier);
	put_field(out, "promoted_from", m->promoted_from);
	put_field(out, "compression", m->compression);
	if (m->compression != NULL)
		fprintf(out, "compression_level = %d\n", m->compression_level);
	put_field(out, "encryption", m->encryption);
	for (size_t i = 0; i < m->nrecipients; i++)
		put_field(out, "recipient", m->recipients[i]);
	put_field(out, "chunk_key", m->chunk_key);
	put_time(out, "started", m->started);
	put_time(out, "finished", m->finished);
	put_field(out, "status", m->partial ? "partial" : "complete");
	put_field(out, "wal_timeline", m->wal_timeline);
	put_field(out, "wal_start_lsn", m->wal_start_lsn);
	put_field(out, "wal_stop_lsn", m->wal_stop_lsn);
	put_field(out, "wal_start_segment", m->wal_start_segment);
	if (m->wal_start_segment != NULL) {
		put_time(out, "base_started", m->base_started);
		put_time(out, "base_stopped", m->base_stopped);
	}
	for (size_t i = 0; i < m->nfailed; i++)
		put_field(out, "failed", m->failed[i]);
	for (size_t i = 0; i < m->ndatabases; i++)
		put_field(out, "database", m->databases[i]);
	if (m->rowcounts_sha256[0] != '\0')
		fprintf(out, "rowcounts_sha256 = %s\n", m->rowcounts_sha256);
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct manifest_file *f = &m->files[i];

		fprintf(out, "\n[" FILE_SECTION);
		put_escaped(out, f->name);
		fprintf(out, "]\n");
		put_field(out, "target", f->target);
		put_field(out, "engine", f->engine);
		put_field(out, "server_version", f->server_version);
		put_field(out, "client", f->client);
		for (size_t d = 0; d < f->ndatabases; d++)
			put_field(out, "database", f->databases[d]);
		fprintf(out, "size = %" PRIu64 "\nraw_size = %" PRIu64 "\n", f->size, f->raw_size);
		if (m->format == MANIFEST_CHUNKED)
			fprintf(out, "new_size = %" PRIu64 "\n", f->new_size);
		fprintf(out, "sha256 = %s\n", f->sha256);
	}
	if (fclose(out) != 0) {
		snprintf(err, errlen, "out of memory");
		free(text);
		return NULL;
	}
	if (!lines_fit(text, err, errlen)) {
		free(text);
		return NULL;
	}
	return text;
}

struct parse_state {
	struct manifest *m;
	char *err;
	size_t errlen;
};

static int parse_number(const char *value, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*value))
		return -1;
	*out = strtoull(value, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static int set_string(char **field, const char *value)
{
	free(*field);
	*field = unescape(value);
	return *field != NULL ? 0 : -1;
}

static int add_unescaped(char ***items, size_t *n, const char *value)
{
	char *plain = unescape(value);
	int rc = plain != NULL ? strlist_add(items, n, plain) : -1;

	free(plain);
	return rc;
}

static int valid_hex(const char *value, size_t len);

static int on_backup_key(struct manifest *m, const char *name, const char *value)
{
	static const struct {
		const char *key;
		size_t offset;
	} strings[] = {
	    {"tool_version", offsetof(struct manifest, tool_version)},
	    {"engine", offsetof(struct manifest, engine)},
	    {"server_version", offsetof(struct manifest, server_version)},
	    {"client", offsetof(struct manifest, client)},
	    {"tier", offsetof(struct manifest, tier)},
	    {"promoted_from", offsetof(struct manifest, promoted_from)},
	    {"compression", offsetof(struct manifest, compression)},
	    {"encryption", offsetof(struct manifest, encryption)},
	    {"wal_timeline", offsetof(struct manifest, wal_timeline)},
	    {"wal_start_lsn", offsetof(struct manifest, wal_start_lsn)},
	    {"wal_stop_lsn", offsetof(struct manifest, wal_stop_lsn)},
	    {"wal_start_segment", offsetof(struct manifest, wal_start_segment)},
	};
	uint64_t n;

	for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++)
		if (strcmp(name, strings[i].key) == 0)
			return set_string((char **)((char *)m + strings[i].offset), value);
	if (strcmp(name, "format") == 0) {
		if (parse_number(value, &n) < 0 || (n != MANIFEST_FILES && n != MANIFEST_CHUNKED))
			return -1; /* a format we do not know: refuse rather than guess */
		m->format = (int)n;
		return 0;
	}
	if (strcmp(name, "compression_level") == 0) {
		if (parse_number(value, &n) < 0 || n > 100)
			return -1;
		m->compression_level = (int)n;
		return 0;
	}
	if (strcmp(name, "started") == 0)
		return ts_parse(value, &m->started);
	if (strcmp(name, "finished") == 0)
		return ts_parse(value, &m->finished);
	if (strcmp(name, "base_started") == 0)
		return ts_parse(value, &m->base_started);
	if (strcmp(name, "base_stopped") == 0)
		return ts_parse(value, &m->base_stopped);
	if (strcmp(name, "database") == 0)
		return add_unescaped(&m->databases, &m->ndatabases, value);
	if (strcmp(name, "recipient") == 0)
		return add_unescaped(&m->recipients, &m->nrecipients, value);
	if (strcmp(name, "failed") == 0)
		return add_unescaped(&m->failed, &m->nfailed, value);
	if (strcmp(name, "chunk_key") == 0) {
		/* It becomes part of a key in the store: hex, or nothing. */
		if (!valid_hex(value, MANIFEST_CHUNK_KEY_LEN))
			return -1;
		return set_string(&m->chunk_key, value);
	}
	if (strcmp(name, "rowcounts_sha256") == 0) {
		if (!valid_hex(value, DIGEST_HEX_LEN))
			return -1;
		strcpy(m->rowcounts_sha256, value);
		return 0;
	}
	if (strcmp(name, "status") == 0) {
		if (strcmp(value, "complete") != 0 && strcmp(value, "partial") != 0)
			return -1;
		m->partial = strcmp(value, "partial") == 0;
		return 0;
	}
	return 0; /* a key from a newer version: keep reading */
}

/* Whether value is len lowercase hex digits. */
static int valid_hex(const char *value, size_t len)
{
	size_t i;

	for (i = 0; value[i] != '\0'; i++)
		if (!isxdigit((unsigned char)value[i]) || isupper((unsigned char)value[i]))
			return 0;
	return i == len;
}

static int on_file_key(struct manifest *m, const char *section, const char *name, const char *value)
{
	struct manifest_file *f = NULL;
	char *file_name = unescape(section + strlen(FILE_SECTION));

	if (file_name == NULL)
		return -1;
	if (m->nfiles > 0 && strcmp(m->files[m->nfiles - 1].name, file_name) == 0)
		f = &m->files[m->nfiles - 1];
	else if (*file_name != '\0' && strchr(file_name, '/') == NULL && *file_name != '.')
		f = manifest_add_file(m, file_name);
	free(file_name);
	if (f == NULL)
		return -1;
	if (strcmp(name, "size") == 0)
		return parse_number(value, &f->size);
	if (strcmp(name, "raw_size") == 0)
		return parse_number(value, &f->raw_size);
	if (strcmp(name, "new_size") == 0)
		return parse_number(value, &f->new_size);
	if (strcmp(name, "sha256") == 0) {
		if (!valid_hex(value, DIGEST_HEX_LEN))
			return -1;
		strcpy(f->sha256, value);
	}
	if (strcmp(name, "target") == 0)
		return set_string(&f->target, value);
	if (strcmp(name, "engine") == 0)
		return set_string(&f->engine, value);
	if (strcmp(name, "server_version") == 0)
		return set_string(&f->server_version, value);
	if (strcmp(name, "client") == 0)
		return set_string(&f->client, value);
	if (strcmp(name, "database") == 0)
		return add_unescaped(&f->databases, &f->ndatabases, value);
	return 0;
}

/* We escape control characters when writing: a raw one means damage. */
static int has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

static int on_ini_line(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	int rc;

	if (has_control(section) || has_control(name) || has_control(value))
		rc = -1;
	else if (strcmp(section, "backup") == 0)
		rc = on_backup_key(st->m, name, value);
	else if (strncmp(section, FILE_SECTION, strlen(FILE_SECTION)) == 0)
		rc = on_file_key(st->m, section, name, value);
	else
		rc = -1;
	if (rc < 0 && st->err[0] == '\0')
		snprintf(st->err, st->errlen, "bad value for %s in [%s]", name, section);
	return rc == 0; /* inih: nonzero means fine */
}

int manifest_parse(const char *text, struct manifest *m, char *err, size_t errlen)
{
	struct parse_state st = {m, err, errlen};
	int line;

	memset(m, 0, sizeof(*m));
	err[0] = '\0';
	line = ini_parse_string(text, on_ini_line, &st);
	if (line != 0) {
		char what[256];

		snprintf(what, sizeof(what), "%s", err[0] ? err : "syntax error");
		snprintf(err, errlen, "line %d: %s", line, what);
		manifest_free(m);
		return -1;
	}
	if (m->format == 0 || m->engine == NULL || m->nfiles == 0) {
		snprintf(err, errlen, "%s",
			 m->format == 0	     ? "no format line"
			 : m->engine == NULL ? "no engine line"
					     : "no file listed");
		manifest_free(m);
		return -1;
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		if (m->files[i].sha256[0] == '\0') {
			snprintf(err, errlen, "no sha256 for %s", m->files[i].name);
			manifest_free(m);
			return -1;
		}
	}
	return 0;
}

const char *manifest_carried_file(const struct manifest *m, size_t i)
{
	/* A chunked backup's files are in the store's chunk area, shared. */
	if (m->format == MANIFEST_CHUNKED)
		return NULL;
	if (i < m->nfiles)
		return m->files[i].name;
	if (i != m->nfiles || m->rowcounts_sha256[0] == '\0')
		return NULL;
	return m->encryption != NULL ? KEY_ROWCOUNTS_AGE : KEY_ROWCOUNTS;
}

uint64_t manifest_new_size(const struct manifest *m)
{
	uint64_t total = 0;

	for (size_t i = 0; i < m->nfiles; i++)
		total += m->format == MANIFEST_CHUNKED ? m->files[i].new_size : m->files[i].size;
	return total;
}

uint64_t manifest_size(const struct manifest *m)
{
	uint64_t total = 0;

	for (size_t i = 0; i < m->nfiles; i++)
		total += m->files[i].size;
	return total;
}

void manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	free(m->tool_version);
	free(m->engine);
	free(m->server_version);
	free(m->client);
	free(m->tier);
	free(m->promoted_from);
	free(m->compression);
	free(m->encryption);
	strlist_free(m->recipients, m->nrecipients);
	free(m->chunk_key);
	free(m->wal_timeline);
	free(m->wal_start_lsn);
	free(m->wal_stop_lsn);
	free(m->wal_start_segment);
	strlist_free(m->databases, m->ndatabases);
	strlist_free(m->failed, m->nfailed);
	for (size_t i = 0; i < m->nfiles; i++) {
		free(m->files[i].name);
		free(m->files[i].target);
		free(m->files[i].engine);
		free(m->files[i].server_version);
		free(m->files[i].client);
		strlist_free(m->files[i].databases, m->files[i].ndatabases);
	}
	free(m->files);
	memset(m, 0, sizeof(*m));
}

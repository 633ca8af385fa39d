#include "engine/postgres/wal_name.h"

#include <stdio.h>
#include <string.h>

/* n upper-case hexadecimal digits, as PostgreSQL writes them. */
static int hex_run(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

enum wal_kind wal_name_kind(const char *name)
{
	size_t len = strlen(name);

	if (len == 16 && hex_run(name, 8) && strcmp(name + 8, ".history") == 0)
		return WAL_HISTORY;
	if (len < WAL_SEGMENT_LEN || !hex_run(name, WAL_SEGMENT_LEN))
		return WAL_INVALID;
	if (len == WAL_SEGMENT_LEN)
		return WAL_SEGMENT;
	if (strcmp(name + WAL_SEGMENT_LEN, ".partial") == 0)
		return WAL_PARTIAL;
	if (len == WAL_SEGMENT_LEN + 16 && name[WAL_SEGMENT_LEN] == '.' &&
	    hex_run(name + WAL_SEGMENT_LEN + 1, 8) &&
	    strcmp(name + WAL_SEGMENT_LEN + 9, ".backup") == 0)
		return WAL_BACKUP;
	return WAL_INVALID;
}

int wal_name_obsolete(const char *name, const char *oldest_segment)
{
	enum wal_kind kind = wal_name_kind(name);

	if (kind == WAL_INVALID || kind == WAL_HISTORY ||
	    wal_name_kind(oldest_segment) != WAL_SEGMENT)
		return 0;
	/* The timeline (the first 8 digits) does not order segments. */
	return strncmp(name + 8, oldest_segment + 8, WAL_SEGMENT_LEN - 8) < 0;
}

enum wal_kind wal_name_of_object(const char *object, char *buf, size_t len)
{
	static const char *const suffixes[] = {".meta", ".gz", ".zst", ""};
	size_t n = strlen(object);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++) {
		size_t s = strlen(suffixes[i]);
		enum wal_kind kind;

		if (n <= s || strcmp(object + n - s, suffixes[i]) != 0 || n - s >= len)
			continue;
		snprintf(buf, len, "%.*s", (int)(n - s), object);
		kind = wal_name_kind(buf);
		if (kind != WAL_INVALID)
			return kind;
	}
	return WAL_INVALID;
}

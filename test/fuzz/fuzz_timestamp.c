/*
 * libFuzzer: timestamp, FROM_BACKUP, RECOVERY_TARGET_TIME and WAL file name
 * parsing; what parses must format back, and nothing path-like passes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/postgres/pitr.h"
#include "tier.h"
#include "util/timestamp.h"
#include "engine/postgres/wal_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), back[TS_LEN + 1];
	struct from_backup from;
	time_t t;
	long usec;

	memcpy(s, data, size);
	s[size] = '\0';
	if (ts_parse(s, &t) == 0) {
		ts_format(t, back);
		if (strcmp(back, s) != 0)
			abort(); /* canonical in, the same canonical out */
	}
	ts_parse_lenient(s, strlen(s), &t);
	if (from_backup_parse(s, &from) == 0 && from.kind == FROM_TIMESTAMP &&
	    (strchr(s, '/') != NULL || strstr(s, "..") != NULL))
		abort(); /* nothing path-like is ever a timestamp */
	if (physical_parse_time(s, &t, &usec) == 0 && (usec < 0 || usec > 999999))
		abort();
	if (wal_name_kind(s) != WAL_INVALID && (strchr(s, '/') != NULL || strlen(s) > 40))
		abort(); /* a WAL file name is a plain, short name: never a path */
	free(s);
	return 0;
}

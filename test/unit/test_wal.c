#include <string.h>

#include "engine/postgres/pitr.h"
#include "test.h"
#include "engine/postgres/wal_name.h"

static void test_names(void)
{
	static const struct {
		const char *name;
		enum wal_kind kind;
	} cases[] = {
	    {"000000010000000000000002", WAL_SEGMENT},
	    {"0000000100000000000000A2.partial", WAL_PARTIAL},
	    {"000000010000000000000002.00000028.backup", WAL_BACKUP},
	    {"00000002.history", WAL_HISTORY},
	    {"00000001000000000000000", WAL_INVALID},  /* 23 digits */
	    {"0000000100000000000000a2", WAL_INVALID}, /* PostgreSQL writes upper case */
	    {"000000010000000000000002.gz", WAL_INVALID},
	    {"../00000002.history", WAL_INVALID},
	    {"00000002.history/x", WAL_INVALID},
	    {"RECOVERYXLOG", WAL_INVALID},
	    {"", WAL_INVALID},
	};
	char file[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		CHECK(wal_name_kind(cases[i].name) == cases[i].kind, "'%s' is kind %d",
		      cases[i].name, (int)wal_name_kind(cases[i].name));

	/* pg_archivecleanup's rule: position decides, the timeline does not. */
	CHECK(wal_name_obsolete("000000010000000000000002", "000000010000000000000003"), "older");
	CHECK(!wal_name_obsolete("000000010000000000000003", "000000010000000000000003"),
	      "the one needed");
	CHECK(!wal_name_obsolete("000000010000000000000004", "000000010000000000000003"), "newer");
	CHECK(wal_name_obsolete("000000020000000000000002", "000000010000000000000003"),
	      "older on a later timeline");
	CHECK(!wal_name_obsolete("000000010000000100000000", "0000000100000000000000FF"),
	      "the next log");
	CHECK(wal_name_obsolete("000000010000000000000002.00000028.backup",
				"000000010000000000000003"),
	      "an old backup history file");
	CHECK(!wal_name_obsolete("00000001.history", "000000010000000000000003"), "history stays");
	CHECK(!wal_name_obsolete("000000010000000000000002", "bogus"), "no reference, nothing old");

	CHECK(wal_name_of_object("000000010000000000000002.gz", file, sizeof(file)) ==
		      WAL_SEGMENT &&
		  strcmp(file, "000000010000000000000002") == 0,
	      "gz object: %s", file);
	CHECK(wal_name_of_object("00000002.history.meta", file, sizeof(file)) == WAL_HISTORY &&
		  strcmp(file, "00000002.history") == 0,
	      "meta record: %s", file);
	CHECK(wal_name_of_object("000000010000000000000002", file, sizeof(file)) == WAL_SEGMENT,
	      "uncompressed object");
	CHECK(wal_name_of_object(".000000010000000000000002.gz.tmp-12", file, sizeof(file)) ==
		  WAL_INVALID,
	      "a temporary file is not ours");
}

static void test_target_time(void)
{
	static const struct {
		const char *text;
		long long secs;
		long usec;
	} good[] = {
	    {"2026-11-22 10:30:00", 1795343400, 0},
	    {"2026-11-22T10:30:00Z", 1795343400, 0},
	    {"2026-11-22 10:30:00 UTC", 1795343400, 0},
	    {"2026-11-22 11:30:00+01", 1795343400, 0},
	    {"2026-11-22 05:00:00-05:30", 1795343400, 0},
	    {"2026-11-22 10:30:00.5+00", 1795343400, 500000},
	    {"2026-11-22 10:30:00.123456+00", 1795343400, 123456},
	};
	static const char *const bad[] = {
	    "",
	    "yesterday",
	    "2026-11-22",
	    "2026-11-22 10:30",
	    "2026-2-22 10:30:00",
	    "2026-02-30 10:30:00",
	    "2026-11-22 24:00:00",
	    "2026-11-22 10:30:00+1",
	    "2026-11-22 10:30:00 CET",
	    "2026-11-22 10:30:00.",
	    "2026-11-22  10:30:00",
	    "2026-11-22 10:30:00+ 1",
	    "2026-11-22 10:30:00+01:",
	    "2026-11-22 10:30:00+01:0",
	};
	time_t secs;
	long usec;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		CHECK(physical_parse_time(good[i].text, &secs, &usec) == 0 &&
			  secs == good[i].secs && usec == good[i].usec,
		      "'%s' gave %lld.%06ld", good[i].text, (long long)secs, usec);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(physical_parse_time(bad[i], &secs, &usec) < 0, "'%s' must be refused",
		      bad[i]);
}

void test_wal(void)
{
	test_names();
	test_target_time();
}

#include <string.h>

#include "engine/postgres/wal_name.h"

#include "test.h"

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

void test_engine_postgres_wal_name(void)
{
	test_names();
}

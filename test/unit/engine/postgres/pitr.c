#include "engine/postgres/pitr.h"

#include "test.h"

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

void test_engine_postgres_pitr(void)
{
	test_target_time();
}

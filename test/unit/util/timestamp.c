#include <string.h>

#include "util/timestamp.h"

#include "test.h"

void test_util_timestamp(void)
{
	static const char *const bad[] = {
	    "",
	    "2026-11-21",
	    "2026-11-21T10:07:00",
	    "2026-11-21T10:07:00Z ",
	    " 2026-11-21T10:07:00Z",
	    "2026-02-30T10:07:00Z",
	    "2026-13-01T00:00:00Z",
	    "2026-11-21T24:00:00Z",
	    "2026-11-21T10:60:00Z",
	    "2026/11/21T10:07:00Z",
	    "../x",
	    "/etc/passwd",
	    "1969-12-31T23:59:59Z",
	};
	char buf[TS_LEN + 1];
	time_t t;

	CHECK(ts_parse("2026-11-21T10:07:00Z", &t) == 0 && t == 1795255620, "t=%ld", (long)t);
	ts_format(t, buf);
	CHECK(strcmp(buf, "2026-11-21T10:07:00Z") == 0, "formatted %s", buf);
	CHECK(ts_parse("2028-02-29T00:00:00Z", &t) == 0, "leap day");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		CHECK(ts_parse(bad[i], &t) < 0, "'%s' must be refused", bad[i]);

	/* bandr's file names carried several forms; all mean the same second. */
	static const char *const lenient[] = {
	    "2026-11-21T10:07:00Z", "2026-11-21T10:07:00", "2026-11-21T10-07-00",
	    "2026-11-21_10-07-00",  "20261121T100700Z",	   "20261121-100700",
	};
	for (size_t i = 0; i < sizeof(lenient) / sizeof(*lenient); i++) {
		t = 0;
		CHECK(ts_parse_lenient(lenient[i], strlen(lenient[i]), &t) == 0 && t == 1795255620,
		      "lenient '%s' gave %ld", lenient[i], (long)t);
	}
	CHECK(ts_parse_lenient("2026-11-21", 10, &t) < 0, "a date alone is not a timestamp");

	CHECK(ts_is_prefix("2026-11"), "prefix");
	CHECK(ts_is_prefix("2026-11-21T10:07:00Z"), "whole");
	CHECK(!ts_is_prefix(""), "empty");
	CHECK(!ts_is_prefix("2026-11-21T10:07:00Z0"), "too long");
	CHECK(!ts_is_prefix("2026-1x"), "letters");
	CHECK(!ts_is_prefix("../x"), "path");
}

#include <string.h>

#include "util/duration.h"

#include "test.h"

void test_util_duration(void)
{
	static const struct {
		const char *text;
		long seconds;
	} good[] = {
	    {"36h", 36 * 3600}, {"8d", 8 * 86400},    {"5w", 35 * 86400}, {"400d", 400 * 86400L},
	    {"90m", 5400},	{"1d12h", 36 * 3600}, {"30s", 30},	  {"007d", 7 * 86400},
	};
	static const struct {
		const char *text;
		const char *reason; /* a word the message must hold */
	} bad[] = {
	    {"", "empty"},
	    {"36", "needs a unit"},
	    {"8D", "not a unit"},
	    {"8y", "not a unit"},
	    {"-8d", "not a duration"},
	    {"+8d", "not a duration"},
	    {" 8d", "not a duration"},
	    {"8d ", "not a duration"},
	    {"8 d", "not a unit"},
	    {"d", "not a duration"},
	    {"1.5d", "not a unit"},
	    {"0d", "zero"},
	    {"0h0m", "zero"},
	    {"99999999999999999999d", "too long"},
	    {"9999999999999999w", "too long"},
	    {"1d1d", NULL}, /* repeated units add up: accepted */
	};
	char err[128];
	long s;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		s = -1;
		CHECK(duration_parse(good[i].text, &s, err, sizeof(err)) == 0 &&
			  s == good[i].seconds,
		      "%s: %ld, want %ld", good[i].text, s, good[i].seconds);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc;

		err[0] = '\0';
		rc = duration_parse(bad[i].text, &s, err, sizeof(err));
		if (bad[i].reason == NULL) {
			CHECK(rc == 0 && s == 2 * 86400, "%s accepted as 2 days", bad[i].text);
			continue;
		}
		CHECK(rc < 0 && strstr(err, bad[i].reason) != NULL, "'%s' refused: %s", bad[i].text,
		      err);
	}
}

#include "test.h"
#include "util/bytes.h"

void test_util_bytes(void)
{
	static const struct {
		const char *text;
		int ok;
		long want;
	} cases[] = {
	    {"0", 1, 0},
	    {"1500", 1, 1500},
	    {"512k", 1, 512L * 1024},
	    {"512K", 1, 512L * 1024},
	    {"10M", 1, 10L * 1024 * 1024},
	    {"10m", 1, 10L * 1024 * 1024},
	    {"2G", 1, 2L * 1024 * 1024 * 1024},
	    {"", 0, 0},
	    {"k", 0, 0},
	    {"-1", 0, 0},
	    {"+5", 0, 0},
	    {" 5", 0, 0},
	    {"5 k", 0, 0},
	    {"1.5M", 0, 0},
	    {"5kB", 0, 0},
	    {"5T", 0, 0},
	    {"99999999999999999999", 0, 0},
	    {"9223372036854775807G", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		long got = -7;
		int rc = bytes_parse(cases[i].text, &got);

		CHECK((rc == 0) == cases[i].ok, "'%s': rc %d", cases[i].text, rc);
		if (cases[i].ok)
			CHECK(got == cases[i].want, "'%s': %ld, want %ld", cases[i].text, got,
			      cases[i].want);
	}
}

/* Unit tests of the pure parts; prints "N passed, N failed" and fails on any failure. */
#include "test.h"

#include "util/log.h"

int test_passed, test_failed;

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("unit");
	test_timestamp();
	test_tier();
	test_manifest();
	test_conf();
	test_pg_filter();
	test_wal();
	test_rowcounts();
	test_env();
	test_pg();
	printf("%d passed, %d failed\n", test_passed, test_failed);
	return test_failed != 0;
}
